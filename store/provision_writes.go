package store

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The DB's provisioning writes, each in a transaction of its own (see
// db_writes.go).

// SaveProvisionedItem inserts or replaces a provisioned item.
func (db *DB) SaveProvisionedItem(ctx context.Context, it *recrubo.ProvisionedItem) error {
	return write(ctx, db, func(q *queries) error { return q.SaveProvisionedItem(ctx, it) })
}

// DeleteProvisionedItem forgets a provisioned item.
func (db *DB) DeleteProvisionedItem(ctx context.Context, tenantID string, kind recrubo.ProvisionKind, key string) error {
	return write(ctx, db, func(q *queries) error { return q.DeleteProvisionedItem(ctx, tenantID, kind, key) })
}

// SaveProvisionRun inserts or updates a provisioning run.
func (db *DB) SaveProvisionRun(ctx context.Context, run *recrubo.ProvisionRun) error {
	return write(ctx, db, func(q *queries) error { return q.SaveProvisionRun(ctx, run) })
}

// SaveVerifyLink makes l the tenant's current verify link.
func (db *DB) SaveVerifyLink(ctx context.Context, l *recrubo.VerifyLink) error {
	return write(ctx, db, func(q *queries) error { return q.SaveVerifyLink(ctx, l) })
}
