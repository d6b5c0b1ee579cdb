package store_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestEventsOfType(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, a, b := twoTenants(t, backend)
			since := time.Now().Truncate(time.Microsecond)
			for _, ev := range []*recrubo.InboundEvent{
				{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "before", Type: "crtodo:updated", ReceivedAt: since.Add(-time.Microsecond)},
				{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "at", Type: "crtodo:updated", ReceivedAt: since, Payload: []byte(`{"p":1}`)},
				{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "later", Type: "CRToDo:updated", ReceivedAt: since.Add(time.Second)},
				{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "other type", Type: "crtodo:created", ReceivedAt: since.Add(time.Second)},
				{TenantID: a.ID, Source: recrubo.SourceWhatsApp, ID: "other source", Type: "crtodo:updated", ReceivedAt: since.Add(time.Second)},
				{TenantID: b.ID, Source: recrubo.SourceCarerix, ID: "other tenant", Type: "crtodo:updated", ReceivedAt: since.Add(time.Second)},
			} {
				_, err := db.RecordEvent(ctx, ev)
				must(t, err)
			}
			evs, err := db.EventsOfType(ctx, a.ID, recrubo.SourceCarerix, "crtodo:updated", since, 10)
			must(t, err)
			var ids []string
			for _, ev := range evs {
				ids = append(ids, ev.ID)
			}
			if !slices.Equal(ids, []string{"later", "at"}) {
				t.Fatalf("events = %v, want [later at]", ids)
			}
			if at := evs[1]; string(at.Payload) != `{"p":1}` || !at.ReceivedAt.Equal(since) || at.Type != "crtodo:updated" || at.TenantID != a.ID {
				t.Errorf("event at = %+v", at)
			}
			if evs, err := db.EventsOfType(ctx, a.ID, recrubo.SourceCarerix, "crtodo:updated", since, 1); err != nil || len(evs) != 1 || evs[0].ID != "later" {
				t.Errorf("limit 1 = %v, %v", evs, err)
			}
			if evs, err := db.EventsOfType(ctx, a.ID, recrubo.SourceCarerix, "crtodo:updated", since.Add(time.Hour), 10); err != nil || len(evs) != 0 {
				t.Errorf("since later = %v, %v", evs, err)
			}
		})
	}
}

// TestWaitingEventsAbout: the waiting events about some records are
// exactly the unprocessed ones of that tenant, source and records, oldest
// first, each with its subject.
func TestWaitingEventsAbout(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, a, b := twoTenants(t, backend)
			at := time.Now().Truncate(time.Microsecond)
			for i, ev := range []*recrubo.InboundEvent{
				{ID: "7 second", Subject: "cremployee/7"},
				{ID: "7 first", Subject: "cremployee/7"},
				{ID: "8", Subject: "crvacancy/8"},
				{ID: "7 done", Subject: "cremployee/7"},
				{ID: "other record", Subject: "cremployee/70"},
				{ID: "other entity", Subject: "crvacancy/7"},
				{ID: "no subject"},
				{ID: "other source", Subject: "cremployee/7", Source: recrubo.SourceWhatsApp},
				{ID: "other tenant", Subject: "cremployee/7", TenantID: b.ID},
			} {
				ev.TenantID = cmp.Or(ev.TenantID, a.ID)
				ev.Source = cmp.Or(ev.Source, recrubo.SourceCarerix)
				ev.ReceivedAt = at.Add(time.Duration(i) * time.Second)
				if ev.ID == "7 first" {
					ev.ReceivedAt = at.Add(-time.Second)
				}
				_, err := db.RecordEvent(ctx, ev)
				must(t, err)
			}
			must(t, db.MarkEventProcessed(ctx, a.ID, recrubo.SourceCarerix, "7 done", "applied", at))

			evs, err := db.WaitingEventsAbout(ctx, a.ID, recrubo.SourceCarerix, []string{"cremployee/7", "crvacancy/8", "cruser/9"})
			must(t, err)
			var got []string
			for _, ev := range evs {
				got = append(got, ev.ID+" "+ev.Subject)
				if ev.TenantID != a.ID || ev.Source != recrubo.SourceCarerix {
					t.Errorf("%s: tenant %s, source %s", ev.ID, ev.TenantID, ev.Source)
				}
			}
			want := []string{"7 first cremployee/7", "7 second cremployee/7", "8 crvacancy/8"}
			if !slices.Equal(got, want) {
				t.Errorf("waiting events = %q, want %q", got, want)
			}
			if evs, err := db.WaitingEventsAbout(ctx, a.ID, recrubo.SourceCarerix, nil); err != nil || len(evs) != 0 {
				t.Errorf("no subjects: %v, %v", evs, err)
			}
			ev, err := db.Event(ctx, a.ID, recrubo.SourceCarerix, "8")
			must(t, err)
			if ev.Subject != "crvacancy/8" {
				t.Errorf("stored subject %q", ev.Subject)
			}
		})
	}
}
