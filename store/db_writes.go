package store

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The DB's writes. Each runs in a transaction of its own, so that, exactly
// like the writes of an InTx transaction, its change is published on commit
// (PostgreSQL's NOTIFY is transactional). Reads are promoted from the
// embedded queries and go to the readers.

// CreateTenant validates and stores a new tenant; see queries.CreateTenant.
func (db *DB) CreateTenant(ctx context.Context, t *recrubo.Tenant) error {
	return write(ctx, db, func(q *queries) error { return q.CreateTenant(ctx, t) })
}

// UpdateTenant validates and replaces a tenant's settings.
func (db *DB) UpdateTenant(ctx context.Context, t *recrubo.Tenant) error {
	return write(ctx, db, func(q *queries) error { return q.UpdateTenant(ctx, t) })
}

// DeleteTenant removes a tenant and all its data.
func (db *DB) DeleteTenant(ctx context.Context, id string) error {
	return write(ctx, db, func(q *queries) error { return q.DeleteTenant(ctx, id) })
}

// UpsertCandidate stores c unless a newer state or tombstone is stored.
func (db *DB) UpsertCandidate(ctx context.Context, c *recrubo.Candidate) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.UpsertCandidate(ctx, c) })
}

// RemoveCandidate removes a candidate as of asOf, leaving a tombstone.
func (db *DB) RemoveCandidate(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.RemoveCandidate(ctx, tenantID, id, asOf) })
}

// UpsertVacancy stores v unless a newer state or tombstone is stored.
func (db *DB) UpsertVacancy(ctx context.Context, v *recrubo.Vacancy) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.UpsertVacancy(ctx, v) })
}

// RemoveVacancy removes a vacancy as of asOf, leaving a tombstone.
func (db *DB) RemoveVacancy(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.RemoveVacancy(ctx, tenantID, id, asOf) })
}

// UpsertMatch stores m unless a newer state or tombstone is stored.
func (db *DB) UpsertMatch(ctx context.Context, m *recrubo.Match) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.UpsertMatch(ctx, m) })
}

// RemoveMatch removes a match as of asOf, leaving a tombstone.
func (db *DB) RemoveMatch(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.RemoveMatch(ctx, tenantID, id, asOf) })
}

// UpsertRecruiter stores r unless a newer state is stored.
func (db *DB) UpsertRecruiter(ctx context.Context, r *recrubo.Recruiter) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.UpsertRecruiter(ctx, r) })
}

// ReplaceStatusNodes sets the tenant's status nodes of one kind.
func (db *DB) ReplaceStatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind, nodes []*recrubo.StatusNode) error {
	return write(ctx, db, func(q *queries) error { return q.ReplaceStatusNodes(ctx, tenantID, kind, nodes) })
}

// CreateSyncRun stores a new sync run.
func (db *DB) CreateSyncRun(ctx context.Context, run *recrubo.SyncRun) error {
	return write(ctx, db, func(q *queries) error { return q.CreateSyncRun(ctx, run) })
}

// UpdateSyncRun saves a sync run's state, error and times.
func (db *DB) UpdateSyncRun(ctx context.Context, run *recrubo.SyncRun) error {
	return write(ctx, db, func(q *queries) error { return q.UpdateSyncRun(ctx, run) })
}

// SaveCheckpoint stores how far a run got with one entity.
func (db *DB) SaveCheckpoint(ctx context.Context, cp *recrubo.SyncCheckpoint) error {
	return write(ctx, db, func(q *queries) error { return q.SaveCheckpoint(ctx, cp) })
}

// SaveSyncStatus stores the tenant's sync status.
func (db *DB) SaveSyncStatus(ctx context.Context, st *recrubo.SyncStatus) error {
	return write(ctx, db, func(q *queries) error { return q.SaveSyncStatus(ctx, st) })
}

// RecordEvent stores ev unless it was recorded before; reports whether it
// was new. It returns once the transaction holding ev has committed: events
// recorded together share one transaction (event_writer.go).
func (db *DB) RecordEvent(ctx context.Context, ev *recrubo.InboundEvent) (bool, error) {
	if db.inTx(ctx) {
		return false, errInTx
	}
	isNew, err := db.events.record(ctx, []*recrubo.InboundEvent{ev}, []recrubo.JobArgs{nil})
	return isNew[0], err
}

// RecordEventsAndEnqueue stores each of evs as RecordEvent does and, when
// it was new, enqueues its job (jobs[i]) in the same transaction. The
// events are committed together, in a transaction that deliveries
// arriving at the same time share (event_writer.go).
func (db *DB) RecordEventsAndEnqueue(ctx context.Context, evs []*recrubo.InboundEvent, jobs []recrubo.JobArgs) ([]bool, error) {
	if db.inTx(ctx) {
		return nil, errInTx
	}
	if err := checkEventJobs(evs, jobs); err != nil {
		return nil, err
	}
	return db.events.record(ctx, evs, jobs)
}

// MarkEventProcessed records what processing an event did.
func (db *DB) MarkEventProcessed(ctx context.Context, tenantID string, source recrubo.EventSource, id, outcome string, at time.Time) error {
	return write(ctx, db, func(q *queries) error {
		return q.MarkEventProcessed(ctx, tenantID, source, id, outcome, at)
	})
}

// SaveConversation inserts or updates a conversation.
func (db *DB) SaveConversation(ctx context.Context, c *recrubo.Conversation) error {
	return write(ctx, db, func(q *queries) error { return q.SaveConversation(ctx, c) })
}

// AddMessage stores a new message unless its provider id is stored.
func (db *DB) AddMessage(ctx context.Context, m *recrubo.Message) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.AddMessage(ctx, m) })
}

// UpdateMessage merges a message's delivery fields.
func (db *DB) UpdateMessage(ctx context.Context, m *recrubo.Message) error {
	return write(ctx, db, func(q *queries) error { return q.UpdateMessage(ctx, m) })
}

// RequeueMessage makes a failed message queued for a new attempt.
func (db *DB) RequeueMessage(ctx context.Context, tenantID, id string) (*recrubo.Message, error) {
	return writeV(ctx, db, func(q *queries) (*recrubo.Message, error) { return q.RequeueMessage(ctx, tenantID, id) })
}

// AddPendingStatus keeps a status for a provider id no message has yet.
func (db *DB) AddPendingStatus(ctx context.Context, p *recrubo.PendingStatus) error {
	return write(ctx, db, func(q *queries) error { return q.AddPendingStatus(ctx, p) })
}

// TakePendingStatuses removes and returns a provider id's pending statuses.
func (db *DB) TakePendingStatuses(ctx context.Context, tenantID, providerID string) ([]*recrubo.PendingStatus, error) {
	return writeV(ctx, db, func(q *queries) ([]*recrubo.PendingStatus, error) {
		return q.TakePendingStatuses(ctx, tenantID, providerID)
	})
}

// MarkRead records how far a user has read a conversation.
func (db *DB) MarkRead(ctx context.Context, tenantID, conversationID, userID string, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.MarkRead(ctx, tenantID, conversationID, userID, at) })
}

// SaveTemplate stores or replaces a message template.
func (db *DB) SaveTemplate(ctx context.Context, t *recrubo.MessageTemplate) error {
	return write(ctx, db, func(q *queries) error { return q.SaveTemplate(ctx, t) })
}

// SaveConsent stores a phone number's consent.
func (db *DB) SaveConsent(ctx context.Context, c *recrubo.Consent) error {
	return write(ctx, db, func(q *queries) error { return q.SaveConsent(ctx, c) })
}

// SaveCostRate stores a price of a conversation category.
func (db *DB) SaveCostRate(ctx context.Context, r *recrubo.CostRate) error {
	return write(ctx, db, func(q *queries) error { return q.SaveCostRate(ctx, r) })
}

// AddCost records one billed conversation.
func (db *DB) AddCost(ctx context.Context, tenantID, conversationID string, cat recrubo.TemplateCategory, amount decimal.Decimal, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.AddCost(ctx, tenantID, conversationID, cat, amount, at) })
}

// SetMessageDispatched records when a message was handed to the provider.
func (db *DB) SetMessageDispatched(ctx context.Context, tenantID, id string, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.SetMessageDispatched(ctx, tenantID, id, at) })
}

// SetConversationActivity records the Carerix activity of a conversation's
// episode.
func (db *DB) SetConversationActivity(ctx context.Context, tenantID, id string, episode time.Time, activityID, hash string) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) {
		return q.SetConversationActivity(ctx, tenantID, id, episode, activityID, hash)
	})
}
