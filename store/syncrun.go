package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const syncRunColumns = `id, tenant_id, kind, state, error, created_at, started_at, finished_at`

func scanSyncRun(r row) (*recrubo.SyncRun, error) {
	var (
		run                        recrubo.SyncRun
		kind, state                string
		created, started, finished int64
	)
	if err := r.Scan(&run.ID, &run.TenantID, &kind, &state, &run.Error, &created, &started, &finished); err != nil {
		return nil, err
	}
	run.Kind, run.State = recrubo.SyncKind(kind), recrubo.RunState(state)
	run.CreatedAt, run.StartedAt, run.FinishedAt = timeMicro(created), timeMicro(started), timeMicro(finished)
	return &run, nil
}

// CreateSyncRun stores a new run, assigning its ID when empty, its
// CreatedAt when zero and the queued state when none is set.
func (q *queries) CreateSyncRun(ctx context.Context, run *recrubo.SyncRun) error {
	if run.TenantID == "" || run.Kind == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A sync run needs a tenant and a kind.")
	}
	id := run.ID
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("generating sync run id: %w", err)
		}
		id = u.String()
	}
	state := run.State
	if state == "" {
		state = recrubo.RunQueued
	}
	created := q.stamp(run.CreatedAt)
	n, err := q.q.exec(ctx, `INSERT INTO sync_runs (`+syncRunColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT DO NOTHING`,
		id, run.TenantID, string(run.Kind), string(state), run.Error, created,
		microTime(run.StartedAt), microTime(run.FinishedAt))
	if err != nil {
		return fmt.Errorf("creating sync run: %w", fkNotFound(err, run.TenantID))
	}
	if n == 0 {
		return recrubo.Errorf(recrubo.ECONFLICT, "Sync run %q already exists.", id)
	}
	run.ID, run.State, run.CreatedAt = id, state, timeMicro(created)
	q.touch(run.TenantID, ChangeSyncRun, id)
	return nil
}

// UpdateSyncRun saves a run's state, error and times. Returns ENOTFOUND if
// the tenant has no such run.
func (q *queries) UpdateSyncRun(ctx context.Context, run *recrubo.SyncRun) error {
	n, err := q.q.exec(ctx, `UPDATE sync_runs SET state = $3, error = $4, started_at = $5, finished_at = $6
        WHERE tenant_id = $1 AND id = $2`,
		run.TenantID, run.ID, string(run.State), run.Error, microTime(run.StartedAt), microTime(run.FinishedAt))
	if err != nil {
		return fmt.Errorf("updating sync run %s: %w", run.ID, err)
	}
	if n == 0 {
		return recrubo.Errorf(recrubo.ENOTFOUND, "Sync run %q does not exist.", run.ID)
	}
	q.touch(run.TenantID, ChangeSyncRun, run.ID)
	return nil
}

// SyncRun returns ENOTFOUND if there is no such run.
func (q *queries) SyncRun(ctx context.Context, tenantID, id string) (*recrubo.SyncRun, error) {
	run, err := scanSyncRun(q.q.queryRow(ctx, `SELECT `+syncRunColumns+` FROM sync_runs
        WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Sync run %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading sync run %s: %w", id, err)
	}
	return run, nil
}

// LatestSyncRun returns the newest run of a kind, or ENOTFOUND.
func (q *queries) LatestSyncRun(ctx context.Context, tenantID string, kind recrubo.SyncKind) (*recrubo.SyncRun, error) {
	run, err := scanSyncRun(q.q.queryRow(ctx, `SELECT `+syncRunColumns+` FROM sync_runs
        WHERE tenant_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, tenantID, string(kind)))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "No %s sync has run yet.", kind)
	case err != nil:
		return nil, fmt.Errorf("reading latest %s sync run: %w", kind, err)
	}
	return run, nil
}

// SaveCheckpoint stores how far a run got with one entity, setting
// UpdatedAt. Returns ENOTFOUND if the run does not exist.
func (q *queries) SaveCheckpoint(ctx context.Context, cp *recrubo.SyncCheckpoint) error {
	var owner string
	err := q.q.queryRow(ctx, `SELECT tenant_id FROM sync_runs WHERE id = $1`, cp.RunID).Scan(&owner)
	if isNoRows(err) || (err == nil && owner != cp.TenantID) {
		return recrubo.Errorf(recrubo.ENOTFOUND, "Sync run %q does not exist.", cp.RunID)
	}
	if err != nil {
		return fmt.Errorf("checking sync run %s: %w", cp.RunID, err)
	}
	now := q.nowMicro()
	_, err = q.q.exec(ctx, `INSERT INTO sync_checkpoints (run_id, entity, tenant_id, next_page, after_key, pages, records,
            total, done, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (run_id, entity) DO UPDATE SET next_page = excluded.next_page, after_key = excluded.after_key,
            pages = excluded.pages, records = excluded.records, total = excluded.total, done = excluded.done,
            updated_at = excluded.updated_at`,
		cp.RunID, string(cp.Entity), cp.TenantID, cp.NextPage, cp.AfterKey, cp.Pages, cp.Records, cp.Total, cp.Done, now)
	if err != nil {
		return fmt.Errorf("saving checkpoint of run %s: %w", cp.RunID, err)
	}
	cp.UpdatedAt = timeMicro(now)
	q.touch(cp.TenantID, ChangeSyncCheckpoint, cp.RunID)
	return nil
}

// Checkpoints returns a run's checkpoints ordered by entity.
func (q *queries) Checkpoints(ctx context.Context, tenantID, runID string) ([]*recrubo.SyncCheckpoint, error) {
	cps, err := collect(ctx, q.q, func(r rows) (*recrubo.SyncCheckpoint, error) {
		var (
			cp      recrubo.SyncCheckpoint
			entity  string
			updated int64
		)
		if err := r.Scan(&cp.TenantID, &cp.RunID, &entity, &cp.NextPage, &cp.AfterKey, &cp.Pages, &cp.Records, &cp.Total,
			&cp.Done, &updated); err != nil {
			return nil, err
		}
		cp.Entity, cp.UpdatedAt = recrubo.Entity(entity), timeMicro(updated)
		return &cp, nil
	}, `SELECT tenant_id, run_id, entity, next_page, after_key, pages, records, total, done, updated_at
        FROM sync_checkpoints WHERE tenant_id = $1 AND run_id = $2 ORDER BY entity`, tenantID, runID)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoints of run %s: %w", runID, err)
	}
	return cps, nil
}

// SyncStatus returns the tenant's sync status; a tenant never synced gets
// a zero status with TenantID set.
func (q *queries) SyncStatus(ctx context.Context, tenantID string) (*recrubo.SyncStatus, error) {
	var (
		st                                          = recrubo.SyncStatus{TenantID: tenantID}
		event, applied, reconcile, watermark, errAt int64
		scan                                        int64
	)
	err := q.q.queryRow(ctx, `SELECT last_event_at, last_applied_at, last_reconcile_at, watermark, last_error,
            last_error_at, last_scan_at, scope_key
        FROM sync_status WHERE tenant_id = $1`, tenantID).
		Scan(&event, &applied, &reconcile, &watermark, &st.LastError, &errAt, &scan, &st.ScopeKey)
	switch {
	case isNoRows(err):
		return &st, nil
	case err != nil:
		return nil, fmt.Errorf("reading sync status: %w", err)
	}
	st.LastEventAt, st.LastAppliedAt = timeMicro(event), timeMicro(applied)
	st.LastReconcileAt, st.Watermark, st.LastErrorAt = timeMicro(reconcile), timeMicro(watermark), timeMicro(errAt)
	st.LastScanAt = timeMicro(scan)
	return &st, nil
}

// SaveSyncStatus stores the tenant's sync status.
func (q *queries) SaveSyncStatus(ctx context.Context, st *recrubo.SyncStatus) error {
	_, err := q.q.exec(ctx, `INSERT INTO sync_status (tenant_id, last_event_at, last_applied_at, last_reconcile_at,
            watermark, last_error, last_error_at, last_scan_at, scope_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (tenant_id) DO UPDATE SET last_event_at = excluded.last_event_at,
            last_applied_at = excluded.last_applied_at, last_reconcile_at = excluded.last_reconcile_at,
            watermark = excluded.watermark, last_error = excluded.last_error, last_error_at = excluded.last_error_at,
            last_scan_at = excluded.last_scan_at, scope_key = excluded.scope_key`,
		st.TenantID, microTime(st.LastEventAt), microTime(st.LastAppliedAt), microTime(st.LastReconcileAt),
		microTime(st.Watermark), st.LastError, microTime(st.LastErrorAt), microTime(st.LastScanAt), st.ScopeKey)
	if err != nil {
		return fmt.Errorf("saving sync status: %w", fkNotFound(err, st.TenantID))
	}
	q.touch(st.TenantID, ChangeSyncStatus, st.TenantID)
	return nil
}
