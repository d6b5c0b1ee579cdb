package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// noteArgs is a test job: its handler reports Note.
type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "test_note" }

// forEachBackend runs fn on SQLite and, when TEST_DATABASE_URL is set,
// PostgreSQL, each in an isolated database.
func forEachBackend(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.NewEnv(t, backend).Open(t))
		})
	}
}

// start starts a runner for reg on db and stops it when the test ends.
func start(t *testing.T, db *store.DB, reg *jobs.Registry) *jobs.Runner {
	t.Helper()
	r, err := jobs.NewRunner(db, reg, jobs.Config{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}

// receive returns the next value from ch, failing t after a generous bound.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// waitCounts polls the job counts until cond holds.
func waitCounts(t *testing.T, r *jobs.Runner, what string, cond func(map[string]int) bool) map[string]int {
	t.Helper()
	var c map[string]int
	eventually.Succeeds(t, what, func() error {
		var err error
		if c, err = r.Counts(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !cond(c) {
			return fmt.Errorf("counts are %v", c)
		}
		return nil
	})
	return c
}

func total(c map[string]int) int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func TestCommittedJobRunsRolledBackNever(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		notes := make(chan string, 10)
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, a noteArgs) error { notes <- a.Note; return nil }, jobs.HandleOptions{})
		r := start(t, db, reg)
		ctx := t.Context()

		err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			if err := tx.Enqueue(ctx, noteArgs{Note: "rolled back"}, nil); err != nil {
				return err
			}
			return errors.New("abandon")
		})
		if err == nil {
			t.Fatal("InTx did not return fn's error")
		}
		if err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			return tx.Enqueue(ctx, noteArgs{Note: "committed"}, nil)
		}); err != nil {
			t.Fatal(err)
		}
		if got := receive(t, notes, "the committed job"); got != "committed" {
			t.Fatalf("first job run = %q, want the committed one", got)
		}
		// The rolled-back job was never inserted: the committed one is
		// the only job there is.
		c := waitCounts(t, r, "the committed job completes", func(c map[string]int) bool { return c["completed"] == 1 })
		if total(c) != 1 {
			t.Errorf("job counts %v: want exactly one job", c)
		}
		select {
		case n := <-notes:
			t.Errorf("another job ran: %q", n)
		default:
		}
	})
}

func TestFailingJobRetries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		type result struct{ attempt, of int }
		done := make(chan result, 1)
		var calls atomic.Int32
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, a noteArgs) error {
			calls.Add(1)
			n, of := jobs.Attempt(ctx)
			if n < 3 {
				return fmt.Errorf("attempt %d: Carerix answered 503", n)
			}
			done <- result{n, of}
			return nil
		}, jobs.HandleOptions{Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
		r := start(t, db, reg)
		if err := db.Enqueue(t.Context(), noteArgs{Note: "flaky"}, &recrubo.JobOptions{MaxAttempts: 5}); err != nil {
			t.Fatal(err)
		}
		got := receive(t, done, "the third attempt")
		if got != (result{3, 5}) || calls.Load() != 3 {
			t.Errorf("succeeded on attempt %d of %d after %d calls, want 3 of 5 after 3", got.attempt, got.of, calls.Load())
		}
		waitCounts(t, r, "the job completes", func(c map[string]int) bool { return c["completed"] == 1 })
	})
}

func TestPermanentAndMaxAttempts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		var permanentCalls, failingCalls atomic.Int32
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, a noteArgs) error {
			permanentCalls.Add(1)
			return jobs.Permanent(errors.New("the candidate has no phone number"))
		}, jobs.HandleOptions{})
		jobs.Handle(reg, func(ctx context.Context, a otherArgs) error {
			failingCalls.Add(1)
			return errors.New("always down")
		}, jobs.HandleOptions{MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Millisecond }})
		r := start(t, db, reg)
		if err := db.Enqueue(t.Context(), noteArgs{Note: "x"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Enqueue(t.Context(), otherArgs{}, nil); err != nil { // River's default allows 25
			t.Fatal(err)
		}
		waitCounts(t, r, "both jobs given up", func(c map[string]int) bool { return c["cancelled"] == 2 })
		if permanentCalls.Load() != 1 || failingCalls.Load() != 2 {
			t.Errorf("calls: permanent %d (want 1), failing %d (want 2)", permanentCalls.Load(), failingCalls.Load())
		}
	})
}

type otherArgs struct{}

func (otherArgs) Kind() string { return "test_other" }

func TestUniqueByArgs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(context.Context, noteArgs) error { return nil }, jobs.HandleOptions{})
		r, err := jobs.NewRunner(db, reg, jobs.Config{}) // not started: jobs stay available
		if err != nil {
			t.Fatal(err)
		}
		opts := &recrubo.JobOptions{UniqueByArgs: true}
		for _, note := range []string{"sync acme", "sync acme", "sync other"} {
			if err := db.Enqueue(t.Context(), noteArgs{Note: note}, opts); err != nil {
				t.Fatal(err)
			}
		}
		c, err := r.Counts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if c["available"] != 2 || total(c) != 2 {
			t.Errorf("counts %v: want 2 available (the duplicate folded)", c)
		}
	})
}

func TestStopDrainsRunningJob(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		started := make(chan struct{}, 1)
		proceed := make(chan struct{})
		var finished, cancelled atomic.Bool
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, a noteArgs) error {
			started <- struct{}{}
			select {
			case <-proceed:
				finished.Store(true)
				return nil
			case <-ctx.Done():
				cancelled.Store(true)
				return ctx.Err()
			}
		}, jobs.HandleOptions{Timeout: -1})
		r, err := jobs.NewRunner(db, reg, jobs.Config{PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.Enqueue(t.Context(), noteArgs{Note: "long"}, nil); err != nil {
			t.Fatal(err)
		}
		receive(t, started, "the job to start")

		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stopped <- r.Stop(ctx)
		}()
		// Give Stop time to begin (a stop that does not drain would cancel
		// the job now); a draining Stop cannot return while the job runs.
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while the job was still running", err)
		case <-time.After(200 * time.Millisecond):
		}
		close(proceed)
		if err := receive(t, stopped, "Stop to return"); err != nil {
			t.Fatalf("Stop = %v", err)
		}
		if !finished.Load() || cancelled.Load() {
			t.Errorf("job finished %v, cancelled %v: want it to finish, not be killed", finished.Load(), cancelled.Load())
		}
		c, err := r.Counts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if c["completed"] != 1 {
			t.Errorf("counts after Stop %v: want the job completed", c)
		}
	})
}

func TestStopCancelsWhenOutOfTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *store.DB) {
		started := make(chan struct{}, 1)
		var cancelled atomic.Bool
		reg := jobs.NewRegistry()
		jobs.Handle(reg, func(ctx context.Context, a noteArgs) error {
			started <- struct{}{}
			<-ctx.Done()
			cancelled.Store(true)
			return ctx.Err()
		}, jobs.HandleOptions{Timeout: -1})
		r, err := jobs.NewRunner(db, reg, jobs.Config{PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.Enqueue(t.Context(), noteArgs{Note: "stuck"}, nil); err != nil {
			t.Fatal(err)
		}
		receive(t, started, "the job to start")
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // no time left to drain
		if err := r.Stop(ctx); err == nil {
			t.Error("Stop reported a clean drain of a job that could not finish")
		}
		if !cancelled.Load() {
			t.Error("the running job's context was not cancelled")
		}
		// A long job interrupted by a stop waits for the next start without
		// having spent an attempt.
		js, err := db.ActiveJobs(t.Context(), noteArgs{}.Kind())
		if err != nil || len(js) != 1 || js[0].State != "available" || js[0].Attempt != 0 {
			t.Errorf("the interrupted job: %+v %v; want available with no attempt spent", js, err)
		}
	})
}

func TestHandleRejectsDuplicateKind(t *testing.T) {
	reg := jobs.NewRegistry()
	jobs.Handle(reg, func(context.Context, noteArgs) error { return nil }, jobs.HandleOptions{})
	defer func() {
		if recover() == nil {
			t.Error("a second handler for one kind was accepted")
		}
	}()
	jobs.Handle(reg, func(context.Context, noteArgs) error { return nil }, jobs.HandleOptions{})
}
