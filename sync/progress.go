package carerixsync

import (
	"context"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// SyncProgress is a tenant's sync progress and health, as the verify page
// shows it and metrics export it. It is plain data, serialisable as JSON.
type SyncProgress struct {
	TenantID string `json:"tenant_id"`
	// State is the initial sync's state: not_started, queued, running,
	// succeeded or failed.
	State      string    `json:"state"`
	RunID      string    `json:"run_id,omitempty"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Entities are the initial sync's per-entity progress.
	Entities []EntityProgress `json:"entities"`
	// Records and Total sum the entities; RatePerSecond is records applied
	// per second of the run; ETASeconds the estimated time left (0 when
	// unknown or done).
	Records       int64   `json:"records"`
	Total         int64   `json:"total"`
	RatePerSecond float64 `json:"rate_per_second"`
	ETASeconds    float64 `json:"eta_seconds"`
	// Error is the last sync error, user-safe; empty when healthy.
	Error   string    `json:"error,omitempty"`
	ErrorAt time.Time `json:"error_at,omitzero"`
	// InScope counts the mirrored records per entity.
	InScope map[recrubo.Entity]int64 `json:"in_scope"`
	// Events counts webhook deliveries; PendingEvents waits for
	// processing; LagSeconds is how long the oldest waiting one has waited.
	Events          int64     `json:"events"`
	PendingEvents   int64     `json:"pending_events"`
	LagSeconds      float64   `json:"lag_seconds"`
	LastEventAt     time.Time `json:"last_event_at,omitzero"`
	LastEventType   string    `json:"last_event_type,omitempty"`
	LastAppliedAt   time.Time `json:"last_applied_at,omitzero"`
	LastReconcileAt time.Time `json:"last_reconcile_at,omitzero"`
	LastScanAt      time.Time `json:"last_scan_at,omitzero"`
}

// EntityProgress is how far the initial sync got with one entity.
type EntityProgress struct {
	Entity  recrubo.Entity `json:"entity"`
	Records int64          `json:"records"`
	Total   int64          `json:"total"`
	Pages   int            `json:"pages"`
	// PagesDone is how many pages (chunks, for recruiters) are applied.
	PagesDone int  `json:"pages_done"`
	Done      bool `json:"done"`
}

// The progress states besides recrubo.RunState's.
const stateNotStarted = "not_started"

// Progress reports the tenant's sync progress and health.
func Progress(ctx context.Context, st recrubo.DataStore, tenantID string) (*SyncProgress, error) {
	return progressAt(ctx, st, tenantID, time.Now())
}

func progressAt(ctx context.Context, st recrubo.DataStore, tenantID string, now time.Time) (*SyncProgress, error) {
	p := &SyncProgress{TenantID: tenantID, State: stateNotStarted, Entities: []EntityProgress{}, InScope: map[recrubo.Entity]int64{}}
	run, err := st.LatestSyncRun(ctx, tenantID, recrubo.SyncInitial)
	switch {
	case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
	case err != nil:
		return nil, err
	default:
		p.State, p.RunID, p.StartedAt, p.FinishedAt = string(run.State), run.ID, run.StartedAt, run.FinishedAt
		if run.State == recrubo.RunFailed {
			p.Error = run.Error
		}
		cps, err := st.Checkpoints(ctx, tenantID, run.ID)
		if err != nil {
			return nil, err
		}
		for _, cp := range cps {
			p.Entities = append(p.Entities, EntityProgress{Entity: cp.Entity, Records: cp.Records, Total: cp.Total,
				Pages: cp.Pages, PagesDone: cp.NextPage, Done: cp.Done})
			p.Records += cp.Records
			p.Total += max(cp.Total, cp.Records)
		}
		end := now
		if !run.FinishedAt.IsZero() {
			end = run.FinishedAt
		}
		if secs := end.Sub(run.StartedAt).Seconds(); !run.StartedAt.IsZero() && secs > 0 {
			p.RatePerSecond = float64(p.Records) / secs
		}
		if run.State == recrubo.RunRunning && p.RatePerSecond > 0 && p.Total > p.Records {
			p.ETASeconds = float64(p.Total-p.Records) / p.RatePerSecond
		}
	}
	status, err := st.SyncStatus(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if p.Error == "" {
		p.Error, p.ErrorAt = status.LastError, status.LastErrorAt
	}
	p.LastAppliedAt, p.LastReconcileAt, p.LastScanAt = status.LastAppliedAt, status.LastReconcileAt, status.LastScanAt
	for _, c := range []struct {
		e     recrubo.Entity
		count func(context.Context, string) (int64, error)
	}{
		{recrubo.EntityCandidate, st.CountCandidates},
		{recrubo.EntityVacancy, st.CountVacancies},
		{recrubo.EntityMatch, st.CountMatches},
	} {
		if p.InScope[c.e], err = c.count(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	rs, err := st.Recruiters(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	p.InScope[recrubo.EntityRecruiter] = int64(len(rs))
	ev, err := st.EventStats(ctx, tenantID, recrubo.SourceCarerix)
	if err != nil {
		return nil, err
	}
	p.Events, p.PendingEvents, p.LastEventAt, p.LastEventType = ev.Total, ev.Unprocessed, ev.LastReceivedAt, ev.LastType
	if !ev.OldestUnprocessedAt.IsZero() {
		p.LagSeconds = max(0, now.Sub(ev.OldestUnprocessedAt).Seconds())
	}
	return p, nil
}
