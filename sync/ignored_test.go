package carerixsync_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

func TestEventsOfEntitiesNotSyncedAreAcknowledgedIgnoredAndCounted(t *testing.T) {
	e := synctest.New(t, storetest.SQLite, synctest.Options{Profile: carerixemu.ProfileObserved,
		Seed: carerixemu.SeedOptions{Candidates: 5, Vacancies: 2, Recruiters: 1, Seed: 3}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.Service.Collectors()...)
	ctx := t.Context()
	e.Emu.ResetStats()
	sent := map[string]string{ // event type → the counter's entity label
		"CRCompany:updated":     "crcompany",
		"CRJob:created":         "crjob",
		"CRPublication:updated": "crpublication",
		"CRTodo:updated":        "crtodo",
		"crtodo:updated":        "crtodo",
		"CRInvoice:created":     "other",
	}
	for typ := range sent {
		e.Emu.Webhooks().Broadcast(ctx, typ, webhooks.Event{EntityID: "14.9021"})
	}
	e.Idle(t, 30*time.Second)

	for typ := range sent {
		evs, err := e.DB.EventsOfType(ctx, e.Tenant.ID, recrubo.SourceCarerix, typ, time.Time{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if sent[typ] == "crtodo" {
			want = 2 // types are matched case-insensitively: CRTodo and crtodo alike
		}
		if len(evs) != want {
			t.Errorf("event %s: %d stored, want %d", typ, len(evs), want)
		}
		for _, ev := range evs {
			if ev.Outcome != "ignored" {
				t.Errorf("event %s: outcome %q, want ignored", ev.Type, ev.Outcome)
			}
		}
	}
	if n := e.Emu.Stats().GraphQLRequests; n != 0 {
		t.Errorf("ignoring them cost %d Carerix requests", n)
	}
	want := map[string]float64{"crcompany": 1, "crjob": 1, "crpublication": 1, "crtodo": 2, "other": 1}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "recrubo_sync_events_ignored_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			counted[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	for entity, n := range want {
		if counted[entity] != n {
			t.Errorf("recrubo_sync_events_ignored_total{entity=%q} = %v, want %v (all: %v)", entity, counted[entity], n, counted)
		}
	}
}
