package store

import (
	"context"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const recruiterColumns = `tenant_id, id, user_name, first_name, last_name, email, language, active,
    stable_hash, modified_at, synced_at`

func scanRecruiter(r row) (*recrubo.Recruiter, error) {
	var (
		u                recrubo.Recruiter
		modified, synced int64
	)
	err := r.Scan(&u.TenantID, &u.ID, &u.UserName, &u.FirstName, &u.LastName, &u.Email, &u.Language, &u.Active,
		&u.StableHash, &modified, &synced)
	if err != nil {
		return nil, err
	}
	u.ModifiedAt, u.SyncedAt = timeMicro(modified), timeMicro(synced)
	return &u, nil
}

func scanRecruiters(r rows) (*recrubo.Recruiter, error) { return scanRecruiter(r) }

// UpsertRecruiter stores r unless the stored copy is newer, and reports
// whether r was applied. Recruiters are never removed, only deactivated.
func (q *queries) UpsertRecruiter(ctx context.Context, r *recrubo.Recruiter) (bool, error) {
	if err := checkUpsert("recruiter", r.TenantID, r.ID, r.ModifiedAt); err != nil {
		return false, err
	}
	n, err := q.q.exec(ctx, `INSERT INTO recruiters (tenant_id, id, user_name, first_name, last_name, email,
            language, active, stable_hash, modified_at, synced_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (tenant_id, id) DO UPDATE SET user_name = excluded.user_name,
            first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
            language = excluded.language, active = excluded.active, stable_hash = excluded.stable_hash,
            modified_at = excluded.modified_at, synced_at = excluded.synced_at
        WHERE excluded.modified_at >= recruiters.modified_at`,
		r.TenantID, r.ID, r.UserName, r.FirstName, r.LastName, r.Email, r.Language, r.Active, r.StableHash,
		r.ModifiedAt.UnixMicro(), q.stamp(r.SyncedAt))
	if err != nil {
		return false, fmt.Errorf("upserting recruiter %s: %w", r.ID, fkNotFound(err, r.TenantID))
	}
	if n > 0 {
		q.touch(r.TenantID, ChangeRecruiter, r.ID)
	}
	return n > 0, nil
}

// Recruiter returns ENOTFOUND if the recruiter is not in the mirror.
func (q *queries) Recruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error) {
	r, err := scanRecruiter(q.q.queryRow(ctx, `SELECT `+recruiterColumns+` FROM recruiters
        WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Recruiter %q is not in the mirror.", id)
	case err != nil:
		return nil, fmt.Errorf("reading recruiter %s: %w", id, err)
	}
	return r, nil
}

// Recruiters lists the tenant's recruiters by id.
func (q *queries) Recruiters(ctx context.Context, tenantID string) ([]*recrubo.Recruiter, error) {
	rs, err := collect(ctx, q.q, scanRecruiters, `SELECT `+recruiterColumns+` FROM recruiters
        WHERE tenant_id = $1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("listing recruiters: %w", err)
	}
	return rs, nil
}
