package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ChangeVerifyRun is the change kind of verify checklist runs.
const ChangeVerifyRun = "verify_run"

// ClaimVerifyRun starts a run of the tenant's verify checklist at now
// unless one started less than gap before: it reports whether this caller
// may run the checks. Instances racing for it get one winner.
func (db *DB) ClaimVerifyRun(ctx context.Context, tenantID string, now time.Time, gap time.Duration) (bool, error) {
	var claimed bool
	err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		q := tx.(*dbTx).queries
		rs, err := q.q.query(ctx, `INSERT INTO verify_runs (tenant_id, started_at) VALUES ($1, $2)
			ON CONFLICT (tenant_id) DO UPDATE SET started_at = excluded.started_at
			WHERE verify_runs.started_at <= $3
			RETURNING tenant_id`, tenantID, now.UnixMicro(), now.Add(-gap).UnixMicro())
		if err != nil {
			return fkNotFound(err, tenantID)
		}
		claimed = rs.Next()
		if err := rs.Close(); err != nil {
			return fkNotFound(err, tenantID)
		}
		if claimed {
			q.touch(tenantID, ChangeVerifyRun, tenantID)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: claiming a verify run: %w", err)
	}
	return claimed, nil
}

// FinishVerifyRun records the result of the tenant's latest verify run.
func (db *DB) FinishVerifyRun(ctx context.Context, r *recrubo.VerifyRun) error {
	return write(ctx, db, func(q *queries) error {
		n, err := q.q.exec(ctx, `UPDATE verify_runs SET finished_at = $2, run_by = $3, result = $4 WHERE tenant_id = $1`,
			r.TenantID, r.FinishedAt.UnixMicro(), r.By, string(r.Result))
		if err != nil {
			return fmt.Errorf("store: recording a verify run: %w", err)
		}
		if n == 0 {
			return recrubo.Errorf(recrubo.ENOTFOUND, "No verify run of tenant %q was started.", r.TenantID)
		}
		q.touch(r.TenantID, ChangeVerifyRun, r.TenantID)
		return nil
	})
}

// LastVerifyRun returns the tenant's latest verify run, or ENOTFOUND when
// the checks never ran.
func (db *DB) LastVerifyRun(ctx context.Context, tenantID string) (*recrubo.VerifyRun, error) {
	var (
		r                 = recrubo.VerifyRun{TenantID: tenantID}
		started, finished int64
		result            string
	)
	err := db.be.reader().queryRow(ctx, `SELECT started_at, finished_at, run_by, result FROM verify_runs WHERE tenant_id = $1`,
		tenantID).Scan(&started, &finished, &r.By, &result)
	if isNoRows(err) {
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "The checks of tenant %q never ran.", tenantID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading the last verify run: %w", err)
	}
	r.StartedAt = timeMicro(started)
	if finished != 0 {
		r.FinishedAt = timeMicro(finished)
	}
	r.Result = []byte(result)
	return &r, nil
}
