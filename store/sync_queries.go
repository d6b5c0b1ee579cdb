package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The reads and writes sync needs beyond the plain mirror and sync state.

// Match returns ENOTFOUND if the match is not in the mirror.
func (q *queries) Match(ctx context.Context, tenantID, id string) (*recrubo.Match, error) {
	ms, err := collect(ctx, q.q, scanMatch, `SELECT `+matchColumns+` FROM matches
        WHERE tenant_id = $1 AND id = $2 AND NOT removed`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("reading match %s: %w", id, err)
	}
	if len(ms) == 0 {
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Match %q is not in the mirror.", id)
	}
	return ms[0], nil
}

// OwnerIDs lists the distinct owners of the tenant's live candidates and
// vacancies, in order.
func (q *queries) OwnerIDs(ctx context.Context, tenantID string) ([]string, error) {
	ids, err := collect(ctx, q.q, func(r rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT owner_id FROM candidates WHERE tenant_id = $1 AND NOT removed AND owner_id <> ''
        UNION
        SELECT owner_id FROM vacancies WHERE tenant_id = $1 AND NOT removed AND owner_id <> ''
        ORDER BY 1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("listing record owners: %w", err)
	}
	return ids, nil
}

// ForgetTombstones deletes the tenant's tombstones of candidates,
// vacancies and matches.
func (q *queries) ForgetTombstones(ctx context.Context, tenantID string) error {
	for _, m := range []mirrorTable{candidatesTable(), vacanciesTable(), matchesTable()} {
		if _, err := q.q.exec(ctx, `DELETE FROM `+m.name+` WHERE tenant_id = $1 AND removed`, tenantID); err != nil {
			return fmt.Errorf("forgetting %s tombstones: %w", m.entity, err)
		}
	}
	return nil
}

// NoteSyncApplied moves the tenant's last_applied_at forward to at.
func (q *queries) NoteSyncApplied(ctx context.Context, tenantID string, at time.Time) error {
	us := q.stamp(at)
	n, err := q.q.exec(ctx, `INSERT INTO sync_status (tenant_id, last_applied_at) VALUES ($1, $2)
        ON CONFLICT (tenant_id) DO UPDATE SET last_applied_at = excluded.last_applied_at
        WHERE excluded.last_applied_at > sync_status.last_applied_at`, tenantID, us)
	if err != nil {
		return fmt.Errorf("noting applied sync change: %w", fkNotFound(err, tenantID))
	}
	if n > 0 {
		q.touch(tenantID, ChangeSyncStatus, tenantID)
	}
	return nil
}

// EventStats summarises a tenant's events from one source.
func (q *queries) EventStats(ctx context.Context, tenantID string, source recrubo.EventSource) (*recrubo.EventStats, error) {
	st := &recrubo.EventStats{}
	var oldest, last int64
	err := q.q.queryRow(ctx, `SELECT count(*),
            COALESCE(SUM(CASE WHEN processed_at = 0 THEN 1 ELSE 0 END), 0),
            COALESCE(MIN(CASE WHEN processed_at = 0 THEN received_at END), 0)
        FROM inbound_events WHERE tenant_id = $1 AND source = $2`, tenantID, string(source)).
		Scan(&st.Total, &st.Unprocessed, &oldest)
	if err != nil {
		return nil, fmt.Errorf("counting %s events: %w", source, err)
	}
	if st.Total > 0 {
		err = q.q.queryRow(ctx, `SELECT received_at, type FROM inbound_events
            WHERE tenant_id = $1 AND source = $2 ORDER BY received_at DESC LIMIT 1`, tenantID, string(source)).
			Scan(&last, &st.LastType)
		if err != nil {
			return nil, fmt.Errorf("reading the last %s event: %w", source, err)
		}
	}
	st.LastReceivedAt, st.OldestUnprocessedAt = timeMicro(last), timeMicro(oldest)
	return st, nil
}

// ForgetTombstone deletes one record's tombstone unless it is newer than asOf.
func (q *queries) ForgetTombstone(ctx context.Context, tenantID string, entity recrubo.Entity, id string, asOf time.Time) error {
	var m mirrorTable
	switch entity {
	case recrubo.EntityCandidate:
		m = candidatesTable()
	case recrubo.EntityVacancy:
		m = vacanciesTable()
	case recrubo.EntityMatch:
		m = matchesTable()
	default:
		return recrubo.Errorf(recrubo.EINVALID, "Records of kind %q have no tombstones.", entity)
	}
	if _, err := q.q.exec(ctx, `DELETE FROM `+m.name+` WHERE tenant_id = $1 AND id = $2 AND removed AND modified_at <= $3`,
		tenantID, id, asOf.UnixMicro()); err != nil {
		return fmt.Errorf("forgetting tombstone of %s %s: %w", m.entity, id, err)
	}
	return nil
}
