package store_test

import (
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
