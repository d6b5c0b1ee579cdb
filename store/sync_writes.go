package store

import (
	"context"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The DB's sync writes, each in a transaction of its own so its change is
// published on commit (see db_writes.go).

// ForgetTombstones drops the tenant's tombstones.
func (db *DB) ForgetTombstones(ctx context.Context, tenantID string) error {
	return write(ctx, db, func(q *queries) error { return q.ForgetTombstones(ctx, tenantID) })
}

// NoteSyncApplied moves the tenant's LastAppliedAt forward.
func (db *DB) NoteSyncApplied(ctx context.Context, tenantID string, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.NoteSyncApplied(ctx, tenantID, at) })
}

// ForgetTombstone drops one record's tombstone unless it is newer than asOf.
func (db *DB) ForgetTombstone(ctx context.Context, tenantID string, entity recrubo.Entity, id string, asOf time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.ForgetTombstone(ctx, tenantID, entity, id, asOf) })
}
