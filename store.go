package recrubo

import (
	"context"
	"time"
)

// DataStore is everything the service keeps durably.
type DataStore interface {
	TenantStore
	MirrorStore
	SyncStore
	EventStore
	ProvisionStore
	ConversationStore
	ContractStore
	MediaStore
	WhatsAppStore
	BroadcastStore
}

// JobArgs are the arguments of a durable background job. Kind names the
// worker that runs it and must be stable across releases.
type JobArgs interface {
	Kind() string
}

// JobOptions tune how a job is enqueued. The zero value takes defaults.
type JobOptions struct {
	Queue       string
	ScheduledAt time.Time
	MaxAttempts int
	// UniqueByArgs makes a job with the same kind and arguments, not yet
	// finished, a no-op instead of a second job.
	UniqueByArgs bool
}

// Tx is a store transaction. Jobs enqueued through it commit or roll back
// together with its writes.
type Tx interface {
	DataStore
	Enqueue(ctx context.Context, args JobArgs, opts *JobOptions) error
}

// Change tells that a tenant's data changed, so caches and live pages can
// refresh. Kind is an entity or table name, ID the record's id when known.
type Change struct {
	TenantID string
	Kind     string
	ID       string
}

// Store is the durable store: a DataStore with transactions, job enqueueing
// and a feed of committed changes.
type Store interface {
	DataStore
	// InTx runs fn in a transaction, committed when fn returns nil.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// Enqueue enqueues a job on its own.
	Enqueue(ctx context.Context, args JobArgs, opts *JobOptions) error
	// Subscribe calls fn with every committed change, from this instance
	// and, where the backend allows, from other instances on the same
	// database, until ctx is done.
	Subscribe(ctx context.Context, fn func(Change))
	// Ping checks that the database answers and its migrations are applied.
	Ping(ctx context.Context) error
	// Lock takes an exclusive lock on key shared by every instance on the
	// database, waiting until it is free or ctx ends; unlock releases it.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}
