package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const matchColumns = `tenant_id, id, candidate_id, vacancy_id, stage, modified_at, synced_at`

func scanMatch(r rows) (*recrubo.Match, error) {
	var (
		m                recrubo.Match
		modified, synced int64
	)
	if err := r.Scan(&m.TenantID, &m.ID, &m.CandidateID, &m.VacancyID, &m.Stage, &modified, &synced); err != nil {
		return nil, err
	}
	m.ModifiedAt, m.SyncedAt = timeMicro(modified), timeMicro(synced)
	return &m, nil
}

// UpsertMatch stores m unless the stored copy or a tombstone is newer, or
// the stored copy has the same modification time and fields, and reports
// whether m was applied.
func (q *queries) UpsertMatch(ctx context.Context, m *recrubo.Match) (bool, error) {
	if err := checkUpsert("match", m.TenantID, m.ID, m.ModifiedAt); err != nil {
		return false, err
	}
	n, err := q.q.exec(ctx, `INSERT INTO matches (tenant_id, id, candidate_id, vacancy_id, stage,
            modified_at, synced_at, content_hash, removed)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE)
        ON CONFLICT (tenant_id, id) DO UPDATE SET candidate_id = excluded.candidate_id,
            vacancy_id = excluded.vacancy_id, stage = excluded.stage, modified_at = excluded.modified_at,
            synced_at = excluded.synced_at, content_hash = excluded.content_hash, removed = FALSE
        WHERE `+fmt.Sprintf(changedWins, "matches"),
		m.TenantID, m.ID, m.CandidateID, m.VacancyID, m.Stage, m.ModifiedAt.UnixMicro(), q.stamp(m.SyncedAt),
		contentHash(m.CandidateID, m.VacancyID, m.Stage))
	if err != nil {
		return false, fmt.Errorf("upserting match %s: %w", m.ID, fkNotFound(err, m.TenantID))
	}
	if n > 0 {
		q.touch(m.TenantID, ChangeMatch, m.ID)
	}
	return n > 0, nil
}

// RemoveMatch removes a match as of asOf and leaves a tombstone.
func (q *queries) RemoveMatch(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return q.remove(ctx, matchesTable(), tenantID, id, asOf)
}

// MatchesByCandidate lists a candidate's matches by id.
func (q *queries) MatchesByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Match, error) {
	ms, err := collect(ctx, q.q, scanMatch, `SELECT `+matchColumns+` FROM matches
        WHERE tenant_id = $1 AND candidate_id = $2 AND NOT removed ORDER BY id`, tenantID, candidateID)
	if err != nil {
		return nil, fmt.Errorf("listing matches of candidate %s: %w", candidateID, err)
	}
	return ms, nil
}

// MatchesByVacancy lists a vacancy's matches by id.
func (q *queries) MatchesByVacancy(ctx context.Context, tenantID, vacancyID string) ([]*recrubo.Match, error) {
	ms, err := collect(ctx, q.q, scanMatch, `SELECT `+matchColumns+` FROM matches
        WHERE tenant_id = $1 AND vacancy_id = $2 AND NOT removed ORDER BY id`, tenantID, vacancyID)
	if err != nil {
		return nil, fmt.Errorf("listing matches of vacancy %s: %w", vacancyID, err)
	}
	return ms, nil
}

// CountMatches counts the tenant's mirrored matches.
func (q *queries) CountMatches(ctx context.Context, tenantID string) (int64, error) {
	return q.count(ctx, matchesTable(), tenantID)
}

// MatchIDs streams every mirrored match id in order.
func (q *queries) MatchIDs(ctx context.Context, tenantID string, fn func(id string) error) error {
	return q.streamIDs(ctx, matchesTable(), tenantID, fn)
}
