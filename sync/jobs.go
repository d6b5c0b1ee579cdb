package carerixsync

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
)

// InitialArgs start or continue a tenant's initial sync run.
type InitialArgs struct {
	TenantID string `json:"tenant_id"`
	RunID    string `json:"run_id"`
}

// Kind implements recrubo.JobArgs.
func (InitialArgs) Kind() string { return "sync.initial" }

// EventArgs process one stored Carerix webhook event.
type EventArgs struct {
	TenantID string `json:"tenant_id"`
	EventID  string `json:"event_id"`
}

// Kind implements recrubo.JobArgs.
func (EventArgs) Kind() string { return "sync.event" }

// ReconcileArgs reconcile a tenant's mirror with Carerix; Scan also scans
// every id for purged records.
type ReconcileArgs struct {
	TenantID string `json:"tenant_id"`
	Scan     bool   `json:"scan"`
}

// Kind implements recrubo.JobArgs.
func (ReconcileArgs) Kind() string { return "sync.reconcile" }

// RescopeArgs bring a tenant's mirror in line with changed status filters.
type RescopeArgs struct {
	TenantID string `json:"tenant_id"`
}

// Kind implements recrubo.JobArgs.
func (RescopeArgs) Kind() string { return "sync.rescope" }

// RegisterJobs registers the sync job handlers of s on reg. The initial
// sync, reconciliation and rescope are long jobs (Timeout -1): no time
// limit, heartbeats while they run, and continued by another instance
// within the runner's rescue delay when theirs dies; the initial sync
// continues from its checkpoints, the others start again.
func RegisterJobs(reg *jobs.Registry, s *Service) {
	jobs.Handle(reg, s.runInitialJob, jobs.HandleOptions{Timeout: -1, MaxAttempts: 10})
	jobs.Handle(reg, s.drainJob, jobs.HandleOptions{Timeout: 2 * drainBudget, MaxAttempts: 25})
	// One job per event was the queue before drains; kept so such jobs
	// still enqueued when the service is upgraded are processed.
	jobs.Handle(reg, s.processEventJob, jobs.HandleOptions{Timeout: 2 * time.Minute, MaxAttempts: 20})
	jobs.Handle(reg, s.reconcileJob, jobs.HandleOptions{Timeout: -1, MaxAttempts: 5})
	jobs.Handle(reg, s.rescopeJob, jobs.HandleOptions{Timeout: -1, MaxAttempts: 5})
}

// processEventJob applies one webhook event: it re-reads the entity the
// event names (payloads are thin) and applies what Carerix has now.
func (s *Service) processEventJob(ctx context.Context, args EventArgs) error {
	ev, err := s.store.Event(ctx, args.TenantID, recrubo.SourceCarerix, args.EventID)
	if err != nil {
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
			return jobs.Permanent(err) // the tenant was removed
		}
		return err
	}
	if !ev.ProcessedAt.IsZero() {
		return nil
	}
	outcome, err := s.ProcessEvent(ctx, ev)
	if err != nil {
		return s.jobFailed(ctx, args.TenantID, err)
	}
	return s.markEvents(ctx, args.TenantID, []*recrubo.InboundEvent{ev}, outcome)
}

// synced reports whether the product syncs records of a webhook event's
// entity. An event of another (an activity, a company, a placement, a
// publication) is acknowledged and ignored, and counted here.
func (s *Service) synced(entity string) bool {
	switch entity {
	case "cremployee", "crvacancy", "crmatch", "cruser":
		return true
	}
	s.ignored.WithLabelValues(ignoredLabel(entity)).Inc()
	return false
}

// ProcessEvent applies a stored Carerix event and returns what it did.
func (s *Service) ProcessEvent(ctx context.Context, ev *recrubo.InboundEvent) (string, error) {
	we, err := carerix.ParseWebhookEvent(ev.Payload)
	if err != nil {
		return outcomeIgnored, nil // verified at ingest; cannot happen
	}
	if !s.synced(we.Entity) {
		return outcomeIgnored, nil
	}
	t, err := s.tenant(ctx, ev.TenantID)
	if err != nil {
		return "", err
	}
	a, err := s.applier(ctx, t)
	if err != nil {
		return "", err
	}
	var at time.Time
	if we.Action == "deleted" {
		at = we.Time
	}
	switch we.Entity {
	case "cremployee":
		return a.candidateByID(ctx, we.EntityID, at)
	case "crvacancy":
		return a.vacancyByID(ctx, we.EntityID, at)
	case "crmatch":
		return a.matchByID(ctx, we.EntityID, at)
	default: // "cruser"
		return a.recruiterByID(ctx, we.EntityID, false)
	}
}

// jobFailed turns an access error into a permanent failure recorded on the
// tenant's sync status; other errors are retried.
func (s *Service) jobFailed(ctx context.Context, tenantID string, err error) error {
	if !isAccessError(err) && recrubo.ErrorCode(err) != recrubo.EINVALID {
		return err
	}
	msg := recrubo.ErrorMessage(err)
	if isAccessError(err) {
		msg = accessMessage(err)
		s.noteContractProblem(ctx, tenantID, err)
	}
	if serr := s.noteError(ctx, tenantID, msg); serr != nil {
		s.log.WarnContext(ctx, "recording sync error", "tenant", tenantID, "err", serr)
	}
	return jobs.Permanent(fmt.Errorf("%s: %w", msg, err))
}

// noteError records msg as the tenant's last sync error.
func (s *Service) noteError(ctx context.Context, tenantID, msg string) error {
	st, err := s.store.SyncStatus(ctx, tenantID)
	if err != nil {
		return err
	}
	st.LastError, st.LastErrorAt = msg, s.now()
	return s.store.SaveSyncStatus(ctx, st)
}
