package store

import (
	"context"

	"github.com/riverqueue/river"
)

// backend is one database behind the store: how to read outside a
// transaction, how to begin one, and what it needs closed.
type backend interface {
	// reader runs reads that are not part of a transaction.
	reader() querier
	// begin starts a read-write transaction.
	begin(ctx context.Context) (txConn, error)
	// lock takes an exclusive lock on key across instances (lock.go).
	lock(ctx context.Context, key string) (unlock func(), err error)
	close()
}

// txConn is an open transaction of a backend.
type txConn interface {
	querier
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
	// insertJob inserts a River job in this transaction.
	insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}
