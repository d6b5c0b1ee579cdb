package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
)

// initialRunID is the id of a tenant's initial sync run: one per tenant, so
// two instances starting it at once create one run.
func initialRunID(tenantID string) string { return "initial-" + tenantID }

// StartInitial enqueues the tenant's initial sync as a durable job. It is a
// no-op, reporting the existing run, when one already ran or runs; a
// failed run is continued from its checkpoints.
func StartInitial(ctx context.Context, st recrubo.Store, tenantID string) (runID string, started bool, err error) {
	runID = initialRunID(tenantID)
	err = st.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		run, err := tx.SyncRun(ctx, tenantID, runID)
		switch {
		case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
			run = &recrubo.SyncRun{ID: runID, TenantID: tenantID, Kind: recrubo.SyncInitial, State: recrubo.RunQueued}
			if err := tx.CreateSyncRun(ctx, run); err != nil {
				return err
			}
		case err != nil:
			return err
		case run.State != recrubo.RunFailed:
			return nil
		default:
			run.State, run.Error = recrubo.RunQueued, ""
			if err := tx.UpdateSyncRun(ctx, run); err != nil {
				return err
			}
		}
		started = true
		return tx.Enqueue(ctx, InitialArgs{TenantID: tenantID, RunID: runID}, &recrubo.JobOptions{UniqueByArgs: true})
	})
	if recrubo.ErrorCode(err) == recrubo.ECONFLICT {
		return runID, false, nil // another instance created it just now
	}
	if err != nil {
		return "", false, fmt.Errorf("starting initial sync: %w", err)
	}
	return runID, started, nil
}

// InitialRun returns the tenant's initial sync run, creating it (queued)
// when there is none, for running it in-process with Service.RunInitial.
func InitialRun(ctx context.Context, st recrubo.Store, tenantID string) (*recrubo.SyncRun, error) {
	runID := initialRunID(tenantID)
	run, err := st.SyncRun(ctx, tenantID, runID)
	if recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return run, err
	}
	run = &recrubo.SyncRun{ID: runID, TenantID: tenantID, Kind: recrubo.SyncInitial, State: recrubo.RunQueued}
	if err := st.CreateSyncRun(ctx, run); err != nil {
		if recrubo.ErrorCode(err) == recrubo.ECONFLICT {
			return st.SyncRun(ctx, tenantID, runID)
		}
		return nil, err
	}
	return run, nil
}

// Starter starts initial syncs on a store (for provisioning).
type Starter struct {
	Store recrubo.Store
}

// StartInitial enqueues the tenant's initial sync unless one ran or runs.
func (s Starter) StartInitial(ctx context.Context, tenantID string) (string, bool, error) {
	return StartInitial(ctx, s.Store, tenantID)
}

// runInitialJob runs (or continues) an initial sync run.
func (s *Service) runInitialJob(ctx context.Context, args InitialArgs) error {
	run, err := s.store.SyncRun(ctx, args.TenantID, args.RunID)
	if err != nil {
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
			return jobs.Permanent(err)
		}
		return err
	}
	if run.State == recrubo.RunSucceeded {
		return nil
	}
	err = s.RunInitial(ctx, run, nil)
	if err == nil || ctx.Err() != nil {
		// Done, or interrupted (a stop, or the job taken for dead): the
		// run continues from its checkpoints, never failed for that.
		return err
	}
	if run.State != recrubo.RunFailed && Permanent(err) {
		return s.failRun(ctx, run, failureMessage(err), err)
	}
	if attempt, of := jobs.Attempt(ctx); attempt >= of && of > 0 && run.State != recrubo.RunFailed {
		return s.failRun(ctx, run, failureMessage(err), err)
	}
	return err
}

// RunInitial runs an initial sync run in the calling goroutine, reporting
// progress to onPage (may be nil). An access error (credentials, scopes) or
// a filter naming an unknown status fails the run at once with a message
// stored on the run and in the tenant's sync status; the error returned is
// then permanent.
func (s *Service) RunInitial(ctx context.Context, run *recrubo.SyncRun, onPage func(recrubo.SyncCheckpoint)) error {
	t, err := s.store.TenantByID(ctx, run.TenantID)
	if err != nil {
		return err
	}
	r, _, err := s.reader(ctx, t)
	if err != nil {
		msg := recrubo.ErrorMessage(err)
		if isAccessError(err) {
			msg = accessMessage(err)
		}
		return s.failRun(ctx, run, msg, err)
	}
	run.State, run.Error = recrubo.RunRunning, ""
	if run.StartedAt.IsZero() {
		run.StartedAt = s.now()
	}
	if err := s.store.UpdateSyncRun(ctx, run); err != nil {
		return err
	}
	syncer := &Syncer{Store: s.store, PageSize: s.pageSize, Now: s.now, OnPage: onPage}
	if err := syncer.RunInitial(ctx, t, r, run.ID); err != nil {
		switch {
		case isAccessError(err):
			return s.failRun(ctx, run, accessMessage(err), err)
		case recrubo.ErrorCode(err) == recrubo.EINVALID:
			return s.failRun(ctx, run, recrubo.ErrorMessage(err), err)
		}
		run.Error = "Interrupted; continuing where it stopped."
		if uerr := s.store.UpdateSyncRun(context.WithoutCancel(ctx), run); uerr != nil {
			s.log.WarnContext(ctx, "recording sync run", "run", run.ID, "err", uerr)
		}
		return err
	}
	run.State, run.Error, run.FinishedAt = recrubo.RunSucceeded, "", s.now()
	return s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if err := tx.UpdateSyncRun(ctx, run); err != nil {
			return err
		}
		st, err := tx.SyncStatus(ctx, t.ID)
		if err != nil {
			return err
		}
		// Changes made while the sync ran are looked at again by the
		// first reconciliation, in case a page raced an event.
		st.Watermark = run.StartedAt.Add(-s.overlap)
		st.LastScanAt = run.StartedAt
		st.ScopeKey = ScopeKey(t.Filters)
		st.LastError, st.LastErrorAt = "", time.Time{}
		return tx.SaveSyncStatus(ctx, st)
	})
}

// failRun marks run failed with msg and returns a permanent error.
func (s *Service) failRun(ctx context.Context, run *recrubo.SyncRun, msg string, cause error) error {
	ctx = context.WithoutCancel(ctx)
	run.State, run.Error, run.FinishedAt = recrubo.RunFailed, msg, s.now()
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if err := tx.UpdateSyncRun(ctx, run); err != nil {
			return err
		}
		st, err := tx.SyncStatus(ctx, run.TenantID)
		if err != nil {
			return err
		}
		st.LastError, st.LastErrorAt = msg, s.now()
		return tx.SaveSyncStatus(ctx, st)
	})
	return jobs.Permanent(errors.Join(fmt.Errorf("initial sync of tenant %s failed: %s: %w", run.TenantID, msg, cause), err))
}
