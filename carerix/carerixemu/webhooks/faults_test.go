package webhooks_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

func TestDuplicateNextSendsIdenticalPayloadTwice(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	rc := newReceiver(t, nil)
	app := createApp(t, api, "dup")
	hook := createHook(t, api, app.ID, rc.URL, "cremployee:updated")

	svc.DuplicateNext(1)
	svc.Publish(t.Context(), updated("1"))
	svc.Publish(t.Context(), updated("2"))
	waitIdle(t, svc)

	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(got))
	}
	byID := map[string][]received{}
	for _, r := range got {
		id := r.payload(t).ID
		byID[id] = append(byID[id], r)
	}
	if len(byID) != 2 {
		t.Fatalf("got %d distinct event ids, want 2", len(byID))
	}
	var dups []received
	for _, rs := range byID {
		if len(rs) == 2 {
			dups = rs
		}
	}
	if dups == nil || string(dups[0].body) != string(dups[1].body) || dups[0].header.Get("Cx-Signature") != dups[1].header.Get("Cx-Signature") {
		t.Fatal("no identical pair of deliveries")
	}
	if e := dups[0].payload(t).Data.EntityID; e != "1" {
		t.Errorf("duplicated entity %q, want the first event", e)
	}
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	var flagged int
	for _, j := range jobs {
		if j.Duplicate {
			flagged++
		}
	}
	if len(jobs) != 3 || flagged != 1 {
		t.Errorf("%d jobs with %d marked duplicate, want 3 and 1", len(jobs), flagged)
	}
}

func TestDropNextNeverDelivers(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	rc := newReceiver(t, nil)
	app := createApp(t, api, "drop")
	hook := createHook(t, api, app.ID, rc.URL, "cremployee:updated")

	svc.DropNext(1)
	svc.Publish(t.Context(), updated("1"))
	svc.Publish(t.Context(), updated("2"))
	waitIdle(t, svc)

	got := rc.requests()
	if len(got) != 1 || got[0].payload(t).Data.EntityID != "2" {
		t.Fatalf("receiver got %d requests, want only entity 2", len(got))
	}
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 2 || jobs[0].State != webhooks.JobDropped || len(jobs[0].Attempts) != 0 || jobs[1].State != webhooks.JobSucceeded {
		t.Errorf("jobs = %+v, want dropped then succeeded", jobs)
	}
}

func TestRatesDropAndDuplicateEverything(t *testing.T) {
	for _, tc := range []struct {
		name      string
		faults    webhooks.Faults
		wantSends int
	}{
		{"DropAll", webhooks.Faults{DropRate: 1}, 0},
		{"DuplicateAll", webhooks.Faults{DuplicateRate: 1}, 6},
		{"None", webhooks.Faults{}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, api := newService(t, webhooks.Options{})
			rc := newReceiver(t, nil)
			app := createApp(t, api, "rates")
			createHook(t, api, app.ID, rc.URL, "cremployee:updated")
			svc.SetFaults(tc.faults)
			for i := range 3 {
				svc.Publish(t.Context(), updated(strconv.Itoa(i)))
			}
			waitIdle(t, svc)
			if n := len(rc.requests()); n != tc.wantSends {
				t.Errorf("got %d deliveries, want %d", n, tc.wantSends)
			}
		})
	}
}

// reorderRun publishes n events through a reorder window of n with one
// worker and returns the entity ids in arrival order.
func reorderRun(t *testing.T, seed uint64, n int) []string {
	t.Helper()
	svc, api := newService(t, webhooks.Options{Workers: 1})
	rc := newReceiver(t, nil)
	app := createApp(t, api, "reorder")
	createHook(t, api, app.ID, rc.URL, "cremployee:updated")
	svc.SetFaults(webhooks.Faults{ReorderWindow: n, Rand: rand.New(rand.NewPCG(seed, seed))})
	for i := range n {
		svc.Publish(t.Context(), updated(strconv.Itoa(i)))
	}
	waitIdle(t, svc)
	var order []string
	for _, r := range rc.requests() {
		order = append(order, r.payload(t).Data.EntityID)
	}
	return order
}

func TestReorderWindowShufflesDeterministically(t *testing.T) {
	const n = 8
	var published []string
	for i := range n {
		published = append(published, strconv.Itoa(i))
	}
	first := reorderRun(t, 42, n)
	sorted := slices.Clone(first)
	slices.SortFunc(sorted, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	if !slices.Equal(sorted, published) {
		t.Fatalf("delivered %v, want a permutation of %v", first, published)
	}
	if slices.Equal(first, published) {
		t.Errorf("delivery order %v equals publish order; reorder had no effect", first)
	}
	if again := reorderRun(t, 42, n); !slices.Equal(again, first) {
		t.Errorf("same seed gave %v then %v", first, again)
	}
}

func TestReorderHoldsUntilFlush(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	rc := newReceiver(t, nil)
	app := createApp(t, api, "held")
	createHook(t, api, app.ID, rc.URL, "cremployee:updated")
	svc.SetFaults(webhooks.Faults{ReorderWindow: 5})
	for i := range 3 {
		svc.Publish(t.Context(), updated(strconv.Itoa(i)))
	}
	waitIdle(t, svc) // held jobs do not count as outstanding
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("%d deliveries escaped the reorder window", n)
	}
	svc.FlushHeld()
	waitIdle(t, svc)
	if n := len(rc.requests()); n != 3 {
		t.Errorf("after FlushHeld got %d deliveries, want 3", n)
	}
}
