// Package jobs runs the service's durable background work (syncs, webhook
// processing, WhatsApp sends, provisioning) with River, on the store's own
// database: PostgreSQL or SQLite.
//
// Packages register a typed handler per job kind with Handle, without
// importing River. Jobs are enqueued through recrubo.Store (Enqueue, or
// Tx.Enqueue so a job commits together with the writes that call for it).
// A Runner works the registered kinds. A handler's error is retried with
// backoff; Permanent gives up at once and Snooze retries later without
// spending an attempt.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Registry maps job kinds to handlers. Fill it at start-up, before
// NewRunner; it is not safe for concurrent registration.
type Registry struct {
	kinds map[string]bool
	add   []func(*river.Workers) error
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]bool{}} }

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
	// it passes. 0 takes the runner's default, -1 means no timeout.
	Timeout time.Duration
	// MaxAttempts, when set, gives up (cancels the job) after that many
	// failed attempts, even if the job was enqueued allowing more.
	MaxAttempts int
	// Backoff, when set, says how long to wait before retrying after the
	// given failed attempt (1 for the first). Default: River's policy,
	// attempt^4 seconds with jitter.
	Backoff func(attempt int) time.Duration
}

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
	if reg.kinds[kind] {
		panic(fmt.Sprintf("jobs: a handler for %q is already registered", kind))
	}
	reg.kinds[kind] = true
	w := &worker[T]{fn: fn, opts: opts}
	reg.add = append(reg.add, func(ws *river.Workers) error { return river.AddWorkerSafely[T](ws, w) })
}

// workers builds River's worker set from the registry.
func (r *Registry) workers() (*river.Workers, error) {
	ws := river.NewWorkers()
	for _, add := range r.add {
		if err := add(ws); err != nil {
			return nil, fmt.Errorf("jobs: registering worker: %w", err)
		}
	}
	return ws, nil
}

// worker adapts a handler function to River's Worker.
type worker[T recrubo.JobArgs] struct {
	river.WorkerDefaults[T]
	fn   func(context.Context, T) error
	opts HandleOptions
}

func (w *worker[T]) Timeout(*river.Job[T]) time.Duration { return w.opts.Timeout }

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
	ctx = context.WithValue(ctx, attemptKey{}, attemptInfo{n: job.Attempt, of: maxAttempts})
	err := w.fn(ctx, job.Args)
	if err != nil && job.Attempt >= maxAttempts && !isControl(err) {
		return river.JobCancel(fmt.Errorf("giving up after %d attempts: %w", job.Attempt, err))
	}
	return err
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
