package store

import (
	"context"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The DB's writes of media, reactions, WhatsApp health, synced templates
// and broadcasts; see db_writes.go.

// SaveMedia stores a message's file; see queries.SaveMedia.
func (db *DB) SaveMedia(ctx context.Context, f *recrubo.MediaFile) error {
	return write(ctx, db, func(q *queries) error { return q.SaveMedia(ctx, f) })
}

// SetReaction stores or removes a reaction; see queries.SetReaction.
func (db *DB) SetReaction(ctx context.Context, r *recrubo.Reaction) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.SetReaction(ctx, r) })
}

// SaveWhatsAppCheck records a number check; see queries.SaveWhatsAppCheck.
func (db *DB) SaveWhatsAppCheck(ctx context.Context, tenantID string, c recrubo.WhatsAppCheck) error {
	return write(ctx, db, func(q *queries) error { return q.SaveWhatsAppCheck(ctx, tenantID, c) })
}

// SaveTemplateSync records a template sync; see queries.SaveTemplateSync.
func (db *DB) SaveTemplateSync(ctx context.Context, tenantID string, s recrubo.TemplateSync) error {
	return write(ctx, db, func(q *queries) error { return q.SaveTemplateSync(ctx, tenantID, s) })
}

// ForgetWhatsApp removes a tenant's WhatsApp state; see queries.ForgetWhatsApp.
func (db *DB) ForgetWhatsApp(ctx context.Context, tenantID string) error {
	return write(ctx, db, func(q *queries) error { return q.ForgetWhatsApp(ctx, tenantID) })
}

// AddWhatsAppError records a value-level error; see queries.AddWhatsAppError.
func (db *DB) AddWhatsAppError(ctx context.Context, e *recrubo.WhatsAppError) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.AddWhatsAppError(ctx, e) })
}

// ReplaceTemplates replaces a tenant's templates; see queries.ReplaceTemplates.
func (db *DB) ReplaceTemplates(ctx context.Context, tenantID string, ts []*recrubo.MessageTemplate) (added, changed, removed int, err error) {
	type counts struct{ a, c, r int }
	n, err := writeV(ctx, db, func(q *queries) (counts, error) {
		a, c, r, err := q.ReplaceTemplates(ctx, tenantID, ts)
		return counts{a, c, r}, err
	})
	return n.a, n.c, n.r, err
}

// SetTemplateStatus changes a template's status; see queries.SetTemplateStatus.
func (db *DB) SetTemplateStatus(ctx context.Context, tenantID, name, language string, status recrubo.TemplateStatus, reason string, at time.Time) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) {
		return q.SetTemplateStatus(ctx, tenantID, name, language, status, reason, at)
	})
}

// CreateBroadcast stores a broadcast; see queries.CreateBroadcast.
func (db *DB) CreateBroadcast(ctx context.Context, b *recrubo.Broadcast, rs []*recrubo.BroadcastRecipient) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.CreateBroadcast(ctx, b, rs) })
}

// SettleRecipient settles a pending recipient; see queries.SettleRecipient.
func (db *DB) SettleRecipient(ctx context.Context, r *recrubo.BroadcastRecipient) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.SettleRecipient(ctx, r) })
}

// FinishBroadcast marks a broadcast done; see queries.FinishBroadcast.
func (db *DB) FinishBroadcast(ctx context.Context, tenantID, id string, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.FinishBroadcast(ctx, tenantID, id, at) })
}
