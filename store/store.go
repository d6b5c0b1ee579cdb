// Package store is the durable store of the service: one implementation of
// recrubo.Store that runs on SQLite (a single instance, zero set-up) or on
// PostgreSQL (several instances sharing one database).
//
// Every query is written once. Both databases accept $1 positional
// parameters, ON CONFLICT ... DO UPDATE and RETURNING, and the schema keeps
// to a common subset: times are BIGINT unix microseconds in UTC, lists are
// JSON text, booleans are BOOLEAN (PostgreSQL) or INTEGER 0/1 (SQLite), both
// bound from Go bool. The dialects differ only in the migration files of
// package assets. A small internal interface (querier) binds the queries to
// pgx or database/sql.
//
// Secrets are sealed with the configured recrubo.Cipher before they are
// written. Background jobs are River jobs in the same database, so a job
// enqueued in a transaction exists exactly when the transaction commits.
// Every committed write is published as a recrubo.Change: in-process on
// SQLite, and through LISTEN/NOTIFY on PostgreSQL so every instance hears
// it. NewCached puts a read-through cache in front of any recrubo.Store.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/assets"
)

// DB is the durable store on SQLite or PostgreSQL. Its reads, writes and
// transactions are safe for concurrent use. Close it when done.
type DB struct {
	*queries // reads outside transactions; DB's own methods override every write

	be      backend
	backend string
	cipher  recrubo.Cipher
	now     func() time.Time
	log     *slog.Logger
	hub     *hub

	migrations   []migration
	riverVersion int

	// listener is the PostgreSQL LISTEN loop; nil on SQLite.
	listener *listener

	// events commits RecordEvent's events in batches (event_writer.go).
	events *eventWriter

	closeOnce sync.Once
}

var _ recrubo.Store = (*DB)(nil)

// Open connects to the configured database, applies pending migrations (the
// store's and River's) and, on PostgreSQL, starts listening for changes made
// by other instances.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	tgt, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	db := &DB{
		backend: tgt.backend,
		cipher:  cfg.Cipher,
		now:     cfg.Now,
		log:     cfg.Logger,
		hub:     newHub(),
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}

	switch tgt.backend {
	case backendSQLite:
		if db.migrations, err = loadMigrations(assets.DialectSQLite); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		b, err := openSQLite(tgt.path, cfg.MaxConns, db.log)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		db.be = b
		if err := db.migrateSQLite(ctx, b); err != nil {
			b.close()
			return nil, fmt.Errorf("store: migrating %s: %w", tgt.path, err)
		}
	case backendPostgres:
		if db.migrations, err = loadMigrations(assets.DialectPostgres); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		b, err := openPostgres(ctx, tgt.pgURL, cfg.Schema, cfg.MaxConns, db.log)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		db.be = b
		if err := db.migratePostgres(ctx, b); err != nil {
			b.close()
			return nil, fmt.Errorf("store: migrating PostgreSQL: %w", err)
		}
		// Listen before Open returns, so no change committed after Open
		// is missed by this instance's subscribers.
		l, err := startListener(ctx, b.connConfig, changeChannel(cfg.Schema), db.hub, db.log)
		if err != nil {
			b.close()
			return nil, fmt.Errorf("store: %w", err)
		}
		db.listener = l
	}
	db.queries = &queries{q: db.be.reader(), cipher: db.cipher, now: db.now}
	db.events = startEventWriter(db)
	if err := db.refoldSearch(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	return db, nil
}

// Backend names the database in use: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.backend }

// Close commits the events RecordEvent has queued (and refuses new ones),
// stops the change feed, waits for subscriber callbacks that are running to
// return, and closes every connection. On SQLite the write-ahead
// log is checkpointed into the database file. Stop a jobs runner first.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.events != nil {
			db.events.close()
		}
		if db.listener != nil {
			db.listener.stop()
		}
		db.hub.close()
		db.be.close()
	})
	return nil
}

// Ping checks that the database answers and that every migration, the
// store's and River's, is applied.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.checkMigrated(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Subscribe calls fn with every committed change until ctx is done or the
// store is closed. On PostgreSQL that includes changes made by other
// instances on the same database. fn runs on its own goroutine, one change
// at a time; a subscriber that falls more than a buffer behind gets a
// Change{Kind: ChangeResync} in place of what it missed.
func (db *DB) Subscribe(ctx context.Context, fn func(recrubo.Change)) {
	db.hub.subscribe(ctx, fn)
}

// errInTx refuses writes through the DB from inside a transaction's
// function: on SQLite they would wait forever for the one write connection
// the transaction holds, and on PostgreSQL they would escape its atomicity.
var errInTx = errors.New("store: write through the store inside InTx: use the transaction passed to the function")

// txMarker in a context says "a transaction of db is open here".
type txMarker struct {
	db   *DB
	done atomic.Bool // set when InTx returns; the context may outlive it
}

type txMarkerKey struct{}

func (db *DB) inTx(ctx context.Context) bool {
	m, ok := ctx.Value(txMarkerKey{}).(*txMarker)
	return ok && m.db == db && !m.done.Load()
}

// InTx runs fn in a transaction and commits it when fn returns nil. It rolls
// back when fn returns an error (which InTx returns) or panics (the panic
// continues after the rollback). Jobs enqueued through the transaction are
// committed or discarded with it. Within fn, write only through tx: writes
// through the DB itself are refused.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx recrubo.Tx) error) (err error) {
	if db.inTx(ctx) {
		return errInTx
	}
	conn, err := db.be.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	marker := &txMarker{db: db}
	set := &changeSet{}
	tx := &dbTx{
		queries: &queries{q: conn, cipher: db.cipher, now: db.now, changes: set},
		conn:    conn,
	}
	committed := false
	defer func() {
		marker.done.Store(true)
		if committed {
			return
		}
		// Roll back on error and on panic; a cancelled ctx must not stop
		// the rollback.
		if rerr := conn.rollback(context.WithoutCancel(ctx)); rerr != nil {
			db.log.Warn("rolling back transaction", "err", rerr)
		}
	}()

	if err := fn(context.WithValue(ctx, txMarkerKey{}, marker), tx); err != nil {
		return err
	}
	changes := set.changes()
	if db.listener != nil && len(changes) > 0 {
		// PostgreSQL queues notifications in the transaction and
		// delivers them on commit, to every listening instance.
		if err := notifyChanges(ctx, conn, db.listener.channel, changes); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := conn.commit(ctx); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			// database/sql rolls a transaction back when its context
			// ends, and the commit then fails with ErrTxDone: the
			// context's end is what happened.
			return fmt.Errorf("store: committing: %w (%w)", cerr, err)
		}
		return fmt.Errorf("store: committing: %w", err)
	}
	committed = true
	if db.listener == nil {
		// SQLite: one process, so publishing in-process after commit
		// reaches every subscriber.
		db.hub.publish(changes)
	}
	return nil
}

// Enqueue enqueues a background job in a transaction of its own.
func (db *DB) Enqueue(ctx context.Context, args recrubo.JobArgs, opts *recrubo.JobOptions) error {
	return db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		return tx.Enqueue(ctx, args, opts)
	})
}

// write runs fn on a transaction's queries, so a single write, like a
// transaction, publishes its change on commit.
func write(ctx context.Context, db *DB, fn func(q *queries) error) error {
	return db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		return fn(tx.(*dbTx).queries)
	})
}

// writeV is write for a method with a result.
func writeV[T any](ctx context.Context, db *DB, fn func(q *queries) (T, error)) (T, error) {
	var v T
	err := write(ctx, db, func(q *queries) error {
		var err error
		v, err = fn(q)
		return err
	})
	return v, err
}
