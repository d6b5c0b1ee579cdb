package carerixsync_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// manualClock is a clock the test moves.
type manualClock struct{ at atomic.Int64 }

func newManualClock() *manualClock {
	c := &manualClock{}
	c.at.Store(time.Now().UnixNano())
	return c
}

func (c *manualClock) Now() time.Time          { return time.Unix(0, c.at.Load()) }
func (c *manualClock) Advance(d time.Duration) { c.at.Add(int64(d)) }

// refusingEnqueue is a store whose job inserts outside transactions fail
// while refuse is set, as when the process stops between a delivery's
// commit and its enqueue.
type refusingEnqueue struct {
	recrubo.Store
	refuse atomic.Bool
}

func (r *refusingEnqueue) Enqueue(ctx context.Context, args recrubo.JobArgs, opts *recrubo.JobOptions) error {
	if r.refuse.Load() {
		return errors.New("enqueue refused by the test")
	}
	return r.Store.Enqueue(ctx, args, opts)
}

// syncNow runs the initial sync in the test's goroutine, so no job runner
// is needed for it.
func syncNow(t *testing.T, e *synctest.Env) {
	t.Helper()
	run, err := carerixsync.InitialRun(t.Context(), e.DB, e.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Service.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
}

// changeCities updates n in-scope candidates in Carerix and waits until
// every webhook was delivered; it returns how many events wait.
func changeCities(t *testing.T, e *synctest.Env, n int) int64 {
	t.Helper()
	cands, err := e.DB.Candidates(t.Context(), e.Tenant.ID, recrubo.ListOptions{Limit: n})
	if err != nil || len(cands) < n {
		t.Fatalf("in-scope candidates = %d, %v; want %d", len(cands), err, n)
	}
	for i, c := range cands {
		if _, err := e.Emu.UpdateEmployee(t.Context(), c.ID, carerixemu.EmployeeFields{City: carerixemu.Str(fmt.Sprintf("Drachten %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Emu.Webhooks().WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	st, err := e.DB.EventStats(t.Context(), e.Tenant.ID, recrubo.SourceCarerix)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unprocessed < int64(n) {
		t.Fatalf("%d events wait after %d changes", st.Unprocessed, n)
	}
	return st.Unprocessed
}

func availableJobs(t *testing.T, e *synctest.Env) int {
	t.Helper()
	counts, err := e.DB.JobCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return counts["available"]
}

// TestWebhookBurstIsDrainedByOneJob: deliveries within the coalescing
// window share one processing job, and that job processes all of them.
func TestWebhookBurstIsDrainedByOneJob(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			clock := newManualClock() // stands still: every delivery is in one window
			e := synctest.New(t, backend, synctest.Options{NoJobs: true, Sync: func(c *carerixsync.Config) { c.Now = clock.Now }})
			syncNow(t, e)
			waiting := changeCities(t, e, 20)
			if n := availableJobs(t, e); n != 1 {
				t.Fatalf("%d events enqueued %d jobs, want one drain", waiting, n)
			}
			e.StartJobs(t)
			e.Idle(t, 30*time.Second)
			e.Check(t, e.DB)
		})
	}
}

// TestEventsWithoutADrainAreSwept: events stored while no drain could be
// enqueued wait until Sweep finds them, then are processed.
func TestEventsWithoutADrainAreSwept(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			clock := newManualClock()
			var st *refusingEnqueue
			e := synctest.New(t, backend, synctest.Options{NoJobs: true, Sync: func(c *carerixsync.Config) {
				st = &refusingEnqueue{Store: c.Store}
				c.Store, c.Now = st, clock.Now
			}})
			syncNow(t, e)
			st.refuse.Store(true)
			changeCities(t, e, 5)
			st.refuse.Store(false)
			if n := availableJobs(t, e); n != 0 {
				t.Fatalf("%d jobs enqueued while enqueueing failed", n)
			}
			if err := e.Service.Sweep(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := availableJobs(t, e); n != 0 {
				t.Fatalf("the sweep enqueued %d jobs for events that arrived just now", n)
			}
			clock.Advance(11 * time.Second)
			if err := e.Service.Sweep(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := availableJobs(t, e); n != 1 {
				t.Fatalf("the sweep enqueued %d jobs, want one drain", n)
			}
			e.StartJobs(t)
			e.Idle(t, 30*time.Second)
			e.Check(t, e.DB)
		})
	}
}
