// Package jobs runs the service's durable background work (syncs, webhook
// processing, WhatsApp sends, provisioning) with River, on the store's own
// database: PostgreSQL or SQLite.
//
// Packages register a typed handler per job kind with Handle, without
// importing River. Jobs are enqueued through recrubo.Store (Enqueue, or
// Tx.Enqueue so a job commits together with the writes that call for it).
// A Runner works the registered kinds on a Queue (the store, which owns
// River's tables, clients and inserts; this package owns the workers and
// their policies and imports no package of the module's but the domain).
// A handler's error is retried with
// backoff; Permanent gives up at once and Snooze retries later without
// spending an attempt.
//
// A job whose process dies (kill -9, a lost machine) stays marked running
// until River's rescuer, on any instance still alive, makes it available
// again. How long that takes is set per kind: a job with a time limit
// (HandleOptions.Timeout) is rescued once that limit has passed since its
// attempt began. A long job (Timeout -1: an initial sync, a
// reconciliation) has no time limit; while it runs, its runner marks it
// alive (a heartbeat every quarter of its RescueAfter), and it is rescued
// once RescueAfter has passed since the last mark. So a live long job is
// never taken for a dead one, and a dead one is continued within minutes.
// A long job that cannot mark itself alive for half its RescueAfter, or
// finds itself rescued, stops, so that it never runs twice at once. A long
// job interrupted by a shutdown continues at the next start without
// spending an attempt.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Registry maps job kinds to handlers. Fill it at start-up, before
// NewRunner; it is not safe for concurrent registration.
type Registry struct {
	kinds map[string]HandleOptions
	add   []func(*river.Workers, *runtime) error
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]HandleOptions{}} }

// Kinds lists the registered job kinds.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		out = append(out, k)
	}
	return out
}

// HandleOptions tune how one kind of job runs.
type HandleOptions struct {
	// Timeout bounds one attempt; the handler's context is cancelled when
	// it passes. It is also how long after a crash the job is run again:
	// River's rescuer takes a job still marked running that long after its
	// attempt began for dead. 0 takes the runner's default
	// (Config.JobTimeout). -1 marks a long job: no time limit, heartbeats
	// while it runs, rescued RescueAfter after the last one (see the
	// package documentation). A long job must keep its progress as it goes,
	// since a rescued or interrupted one starts its handler again.
	Timeout time.Duration
	// RescueAfter is, for a long job, how long after its last heartbeat a
	// job whose process died is run again. 0 takes the runner's default
	// (Config.RescueAfter). Ignored for jobs with a time limit.
	RescueAfter time.Duration
	// MaxAttempts, when set, gives up (cancels the job) after that many
	// failed attempts, even if the job was enqueued allowing more.
	MaxAttempts int
	// Backoff, when set, says how long to wait before retrying after the
	// given failed attempt (1 for the first). Default: River's policy,
	// attempt^4 seconds with jitter.
	Backoff func(attempt int) time.Duration
}

// long reports whether the options describe a long job.
func (o HandleOptions) long() bool { return o.Timeout < 0 }

// Handle registers fn as the handler of T's kind. It panics if the kind is
// already registered: that is a wiring mistake, found at start-up.
//
// T must be a struct (not a pointer) whose Kind method is stable across
// releases; it is stored as JSON, so its exported fields are the job's
// arguments.
func Handle[T recrubo.JobArgs](reg *Registry, fn func(ctx context.Context, args T) error, opts HandleOptions) {
	var zero T
	kind := zero.Kind()
	if kind == "" {
		panic(fmt.Sprintf("jobs: %T has an empty Kind", zero))
	}
	if _, dup := reg.kinds[kind]; dup {
		panic(fmt.Sprintf("jobs: a handler for %q is already registered", kind))
	}
	if opts.Timeout < -1 || opts.RescueAfter < 0 {
		panic(fmt.Sprintf("jobs: %q has a negative timeout or rescue delay", kind))
	}
	reg.kinds[kind] = opts
	reg.add = append(reg.add, func(ws *river.Workers, rt *runtime) error {
		return river.AddWorkerSafely[T](ws, &worker[T]{fn: fn, opts: opts, rt: rt})
	})
}

// runtime is what workers share with their runner.
type runtime struct {
	// jobTimeout and rescueAfter are the runner's defaults.
	jobTimeout  time.Duration
	rescueAfter time.Duration
	// beat marks an attempt of a running job alive; false when that
	// attempt is no longer running (the job was rescued).
	beat func(ctx context.Context, jobID int64, attempt int) (bool, error)
	log  *slog.Logger
}

// rescueDelay is how long after a crash a job of kind o is rescued.
func (rt *runtime) rescueDelay(o HandleOptions) time.Duration {
	switch {
	case o.long() && o.RescueAfter > 0:
		return o.RescueAfter
	case o.long():
		return rt.rescueAfter
	case o.Timeout > 0:
		return o.Timeout
	}
	return rt.jobTimeout
}

// workers builds River's worker set from the registry.
func (r *Registry) workers(rt *runtime) (*river.Workers, error) {
	ws := river.NewWorkers()
	for _, add := range r.add {
		if err := add(ws, rt); err != nil {
			return nil, fmt.Errorf("jobs: registering worker: %w", err)
		}
	}
	return ws, nil
}

// shortestRescue is the shortest rescue delay of the registered kinds:
// River's rescuer looks at jobs running at least that long, then asks
// each job's worker (Timeout) whether its own delay has passed.
func (r *Registry) shortestRescue(rt *runtime) time.Duration {
	var d time.Duration
	for _, o := range r.kinds {
		if rd := rt.rescueDelay(o); d == 0 || rd < d {
			d = rd
		}
	}
	if d == 0 {
		d = rt.rescueAfter
	}
	return d
}

// worker adapts a handler function to River's Worker.
type worker[T recrubo.JobArgs] struct {
	river.WorkerDefaults[T]
	fn   func(context.Context, T) error
	opts HandleOptions
	rt   *runtime
}

// Timeout answers River twice: when an attempt starts, it bounds the
// attempt; when River's rescuer finds the job still running long after
// its attempted_at, it says whether that is long enough to take the job
// for dead. A job with a time limit answers its limit both times. A long
// job has no limit while it runs (its attempted_at is fresh: it was just
// fetched, or its heartbeat moved it on); to the rescuer, which only asks
// about a job whose attempted_at is old, it answers its rescue delay once
// that has passed since the last heartbeat, so the rescuer runs it again.
func (w *worker[T]) Timeout(job *river.Job[T]) time.Duration {
	if !w.opts.long() {
		return w.rt.rescueDelay(w.opts)
	}
	if d := w.rt.rescueDelay(w.opts); job.AttemptedAt != nil && time.Since(*job.AttemptedAt) >= d {
		return d
	}
	return -1
}

func (w *worker[T]) NextRetry(job *river.Job[T]) time.Time {
	if w.opts.Backoff == nil {
		return time.Time{} // the client's retry policy
	}
	return time.Now().Add(w.opts.Backoff(job.Attempt))
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	maxAttempts := job.MaxAttempts
	if w.opts.MaxAttempts > 0 && w.opts.MaxAttempts < maxAttempts {
		maxAttempts = w.opts.MaxAttempts
	}
	runCtx := context.WithValue(ctx, attemptKey{}, attemptInfo{n: job.Attempt, of: maxAttempts})
	if w.opts.long() {
		var stop func()
		runCtx, stop = w.heartbeat(runCtx, job)
		defer stop()
	}
	err := w.fn(runCtx, job.Args)
	if err == nil || isControl(err) {
		return err
	}
	if w.opts.long() && ctx.Err() != nil {
		// The runner is stopping and cancelled the job: it continues at
		// the next start, without spending an attempt.
		return river.JobSnooze(0)
	}
	if cause := context.Cause(runCtx); errors.Is(cause, errTakenForDead) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	if job.Attempt >= maxAttempts {
		return river.JobCancel(fmt.Errorf("giving up after %d attempts: %w", job.Attempt, err))
	}
	return err
}

// errTakenForDead cancels a long job that could not mark itself alive for
// half its rescue delay, or that was rescued meanwhile: another instance
// may be running it (or soon will), so this one stops.
var errTakenForDead = errors.New("jobs: the job could not be marked alive and may run elsewhere; stopped")

// heartbeat marks job alive every quarter of its rescue delay until the
// returned stop is called. The context it returns is cancelled (cause
// errTakenForDead) when the job is found rescued, or when marking it has
// failed for half the rescue delay.
func (w *worker[T]) heartbeat(ctx context.Context, job *river.Job[T]) (context.Context, func()) {
	delay := w.rt.rescueDelay(w.opts)
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(max(delay/4, 10*time.Millisecond))
		defer t.Stop()
		alive := time.Now()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			running, err := w.rt.beat(ctx, job.ID, job.Attempt)
			switch {
			case err == nil && running:
				alive = time.Now()
			case err == nil:
				cancel(errTakenForDead)
				return
			case time.Since(alive) >= delay/2:
				w.rt.log.WarnContext(ctx, "job stopped: it could not be marked alive", "kind", job.Kind, "job", job.ID, "err", err)
				cancel(errTakenForDead)
				return
			default:
				w.rt.log.WarnContext(ctx, "marking a job alive", "kind", job.Kind, "job", job.ID, "err", err)
			}
		}
	}()
	return ctx, func() {
		close(done)
		<-finished
		cancel(nil)
	}
}

type attemptKey struct{}

type attemptInfo struct{ n, of int }

// Attempt returns, inside a handler, which attempt this is (1 for the
// first) and how many attempts the job has in all; outside one, 0 and 0.
func Attempt(ctx context.Context) (attempt, maxAttempts int) {
	a, _ := ctx.Value(attemptKey{}).(attemptInfo)
	return a.n, a.of
}

// Permanent marks err as not worth retrying: the job is cancelled and err
// recorded. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return river.JobCancel(err)
}

// Snooze asks for the job to run again after d without counting an attempt
// (for waiting on something, like a rate limit window).
func Snooze(d time.Duration) error {
	return river.JobSnooze(max(d, 0))
}

// isControl reports whether err is already a Permanent or Snooze result.
func isControl(err error) bool {
	var cancel *river.JobCancelError
	var snooze *river.JobSnoozeError
	return errors.As(err, &cancel) || errors.As(err, &snooze)
}
