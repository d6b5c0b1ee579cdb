package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// dbTx is the recrubo.Tx InTx hands out: the same queries as the DB, run on
// the transaction, plus job enqueueing in it.
type dbTx struct {
	*queries
	conn txConn
}

var _ recrubo.Tx = (*dbTx)(nil)

// Enqueue inserts a River job in the transaction: the job becomes visible to
// workers when, and only when, the transaction commits.
func (tx *dbTx) Enqueue(ctx context.Context, args recrubo.JobArgs, opts *recrubo.JobOptions) error {
	if args == nil {
		return recrubo.Errorf(recrubo.EINVALID, "A job needs arguments.")
	}
	if err := tx.conn.insertJob(ctx, args, insertOpts(opts)); err != nil {
		return fmt.Errorf("enqueueing %s job: %w", args.Kind(), err)
	}
	return nil
}

// RecordEventsAndEnqueue stores each of evs and, when it is new, enqueues
// its job, in the transaction.
func (tx *dbTx) RecordEventsAndEnqueue(ctx context.Context, evs []*recrubo.InboundEvent, jobs []recrubo.JobArgs) ([]bool, error) {
	if err := checkEventJobs(evs, jobs); err != nil {
		return nil, err
	}
	isNew := make([]bool, len(evs))
	for i, ev := range evs {
		var err error
		if isNew[i], err = tx.recordEvent(ctx, ev, jobs[i]); err != nil {
			return isNew, err
		}
	}
	return isNew, nil
}

// recordEvent stores ev and, when it is new and job is not nil, enqueues
// job.
func (tx *dbTx) recordEvent(ctx context.Context, ev *recrubo.InboundEvent, job recrubo.JobArgs) (bool, error) {
	isNew, err := tx.queries.RecordEvent(ctx, ev)
	if err != nil || !isNew || job == nil {
		return isNew, err
	}
	return true, tx.Enqueue(ctx, job, nil)
}

// checkEventJobs checks that every event comes with its job.
func checkEventJobs(evs []*recrubo.InboundEvent, jobs []recrubo.JobArgs) error {
	if len(jobs) != len(evs) || slices.Contains(jobs, nil) {
		return recrubo.Errorf(recrubo.EINVALID, "Every event needs its job.")
	}
	return nil
}

// unfinishedStates are the job states in which a unique job blocks a
// duplicate: River requires available, pending, running and scheduled;
// retryable is added so a failing job is not doubled either. Completed,
// cancelled and discarded jobs do not block a new one.
func unfinishedStates() []rivertype.JobState {
	return []rivertype.JobState{
		rivertype.JobStateAvailable,
		rivertype.JobStatePending,
		rivertype.JobStateRetryable,
		rivertype.JobStateRunning,
		rivertype.JobStateScheduled,
	}
}

// insertOpts maps the domain's job options to River's.
func insertOpts(o *recrubo.JobOptions) *river.InsertOpts {
	if o == nil {
		return nil
	}
	io := &river.InsertOpts{
		Queue:       o.Queue,
		ScheduledAt: o.ScheduledAt,
		MaxAttempts: o.MaxAttempts,
	}
	if o.UniqueByArgs {
		io.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: unfinishedStates()}
	}
	return io
}
