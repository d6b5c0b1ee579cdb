package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Lock takes an exclusive lock on key, shared by every instance on the
// database: a PostgreSQL session advisory lock held on a connection of
// its own, or, on SQLite (whose file one process owns), a lock in this
// process. It waits until the lock is free or ctx ends; unlock releases
// it.
func (db *DB) Lock(ctx context.Context, key string) (unlock func(), err error) {
	return db.be.lock(ctx, key)
}

// keyLocks are exclusive locks by key within one process.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// lock waits for key's lock or ctx's end.
func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]chan struct{}{}
	}
	ch := l.m[key]
	if ch == nil {
		ch = make(chan struct{}, 1)
		l.m[key] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for lock %q: %w", key, ctx.Err())
	}
}

func (b *sqliteBackend) lock(ctx context.Context, key string) (func(), error) {
	return b.locks.lock(ctx, key)
}

// lock takes a session advisory lock on a pooled connection kept until
// unlock. Should the unlock fail, the connection is closed, which ends
// the session and so the lock.
func (b *pgBackend) lock(ctx context.Context, key string) (func(), error) {
	key = b.schema + ":" + key // advisory locks are database-wide
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquiring a connection for lock %q: %w", key, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		dropConn(conn)
		return nil, fmt.Errorf("waiting for lock %q: %w", key, err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
			dropConn(conn)
			return
		}
		conn.Release()
	}, nil
}

// dropConn closes a pooled connection instead of returning it, so
// whatever its session held (an advisory lock, a query cancelled half
// way) goes with it.
func dropConn(conn *pgxpool.Conn) {
	c := conn.Hijack()
	_ = c.Close(context.Background())
}
