package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const candidateColumns = `tenant_id, id, first_name, last_name_prefix, last_name, email, phone, mobile,
    phone_e164, city, status_id, status_label, owner_id, stable_hash, modified_at, synced_at`

func scanCandidate(r row) (*recrubo.Candidate, error) {
	var (
		c                recrubo.Candidate
		modified, synced int64
	)
	err := r.Scan(&c.TenantID, &c.ID, &c.FirstName, &c.LastNamePrefix, &c.LastName, &c.Email, &c.Phone, &c.Mobile,
		&c.PhoneE164, &c.City, &c.StatusID, &c.StatusLabel, &c.OwnerID, &c.StableHash, &modified, &synced)
	if err != nil {
		return nil, err
	}
	c.ModifiedAt, c.SyncedAt = timeMicro(modified), timeMicro(synced)
	return &c, nil
}

func scanCandidates(r rows) (*recrubo.Candidate, error) { return scanCandidate(r) }

// UpsertCandidate stores c unless the stored copy or a tombstone is newer,
// or the stored copy has the same modification time and fields (see
// changedWins), and reports whether c was applied. A zero SyncedAt is
// set to now.
func (q *queries) UpsertCandidate(ctx context.Context, c *recrubo.Candidate) (bool, error) {
	if err := checkUpsert("candidate", c.TenantID, c.ID, c.ModifiedAt); err != nil {
		return false, err
	}
	search := searchText(c.FullName(), c.Email, c.Phone, c.Mobile, c.PhoneE164)
	n, err := q.q.exec(ctx, `INSERT INTO candidates (tenant_id, id, first_name, last_name_prefix, last_name, email,
            phone, mobile, phone_e164, city, status_id, status_label, owner_id, stable_hash, search,
            modified_at, synced_at, content_hash, removed, search_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, FALSE, $19)
        ON CONFLICT (tenant_id, id) DO UPDATE SET first_name = excluded.first_name,
            last_name_prefix = excluded.last_name_prefix, last_name = excluded.last_name, email = excluded.email,
            phone = excluded.phone, mobile = excluded.mobile, phone_e164 = excluded.phone_e164,
            city = excluded.city, status_id = excluded.status_id, status_label = excluded.status_label,
            owner_id = excluded.owner_id, stable_hash = excluded.stable_hash, search = excluded.search,
            search_version = excluded.search_version,
            modified_at = excluded.modified_at, synced_at = excluded.synced_at,
            content_hash = excluded.content_hash, removed = FALSE
        WHERE `+fmt.Sprintf(changedWins, "candidates"),
		c.TenantID, c.ID, c.FirstName, c.LastNamePrefix, c.LastName, c.Email, c.Phone, c.Mobile,
		c.PhoneE164, c.City, c.StatusID, c.StatusLabel, c.OwnerID, c.StableHash, search,
		c.ModifiedAt.UnixMicro(), q.stamp(c.SyncedAt),
		contentHash(c.FirstName, c.LastNamePrefix, c.LastName, c.Email, c.Phone, c.Mobile, c.PhoneE164, c.City,
			c.StatusID, c.StatusLabel, c.OwnerID, c.StableHash), searchFoldVersion)
	if err != nil {
		return false, fmt.Errorf("upserting candidate %s: %w", c.ID, fkNotFound(err, c.TenantID))
	}
	if n == 0 {
		return false, nil
	}
	// The candidate's conversations carry its name, kept should it leave
	// the mirror.
	name := c.FullName()
	if _, err := q.q.exec(ctx, `UPDATE conversations SET candidate_name = $3, search = $4, search_version = $5
        WHERE tenant_id = $1 AND candidate_id = $2 AND NOT ambiguous
            AND (candidate_name <> $3 OR search_version <> $5)`,
		c.TenantID, c.ID, name, searchText(name), searchFoldVersion); err != nil {
		return false, fmt.Errorf("naming the conversations of candidate %s: %w", c.ID, err)
	}
	q.touch(c.TenantID, ChangeCandidate, c.ID)
	return true, nil
}

// RemoveCandidate removes a candidate as of asOf and leaves a tombstone.
func (q *queries) RemoveCandidate(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return q.remove(ctx, candidatesTable(), tenantID, id, asOf)
}

// Candidate returns ENOTFOUND if the candidate is not in the mirror.
func (q *queries) Candidate(ctx context.Context, tenantID, id string) (*recrubo.Candidate, error) {
	c, err := scanCandidate(q.q.queryRow(ctx, `SELECT `+candidateColumns+` FROM candidates
        WHERE tenant_id = $1 AND id = $2 AND NOT removed`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Candidate %q is not in the mirror.", id)
	case err != nil:
		return nil, fmt.Errorf("reading candidate %s: %w", id, err)
	}
	return c, nil
}

// Candidates lists candidates by id after opts.AfterID, optionally those
// whose name, email or phone contains opts.Query.
func (q *queries) Candidates(ctx context.Context, tenantID string, opts recrubo.ListOptions) ([]*recrubo.Candidate, error) {
	cs, err := collect(ctx, q.q, scanCandidates, `SELECT `+candidateColumns+` FROM candidates
        WHERE tenant_id = $1 AND NOT removed AND id > $2 AND search LIKE $3 ESCAPE '\'
        ORDER BY id LIMIT $4`, tenantID, opts.AfterID, likePattern(opts.Query), listLimit(opts.Limit))
	if err != nil {
		return nil, fmt.Errorf("listing candidates: %w", err)
	}
	return cs, nil
}

// CandidatesByPhone returns the candidates whose normalised number is e164.
func (q *queries) CandidatesByPhone(ctx context.Context, tenantID, e164 string) ([]*recrubo.Candidate, error) {
	if e164 == "" {
		return nil, nil
	}
	cs, err := collect(ctx, q.q, scanCandidates, `SELECT `+candidateColumns+` FROM candidates
        WHERE tenant_id = $1 AND phone_e164 = $2 AND NOT removed ORDER BY id`, tenantID, e164)
	if err != nil {
		return nil, fmt.Errorf("finding candidates by phone: %w", err)
	}
	return cs, nil
}

// CountCandidates counts the tenant's mirrored candidates.
func (q *queries) CountCandidates(ctx context.Context, tenantID string) (int64, error) {
	return q.count(ctx, candidatesTable(), tenantID)
}

// CandidateIDs streams every mirrored candidate id in order.
func (q *queries) CandidateIDs(ctx context.Context, tenantID string, fn func(id string) error) error {
	return q.streamIDs(ctx, candidatesTable(), tenantID, fn)
}
