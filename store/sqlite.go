package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

// busyTimeoutMillis is how long a SQLite connection waits for a lock held by
// another process (an operator's CLI run on the same file) before failing.
const busyTimeoutMillis = 5000

// sqliteBackend is a SQLite database file in WAL mode.
//
// SQLite allows one writer at a time per database file. Rather than let
// several pooled connections contend for the write lock (and fail with
// SQLITE_BUSY, or wait for busy_timeout), every write, every transaction and
// River go through one *sql.DB limited to a single connection: writers queue
// in Go, cheaply and fairly. Transactions begin IMMEDIATE, so a transaction
// holds the write lock from its first statement and never has to upgrade a
// read lock (which could fail with SQLITE_BUSY against another process).
//
// Commits are durable: synchronous=FULL makes every commit flush the WAL
// to disk before it returns, so an acknowledged webhook (Carerix and Meta
// do not send it again) survives a power cut, as it does on PostgreSQL.
// (With synchronous=NORMAL, WAL mode's usual setting, a commit survives a
// crash of the process but not of the machine.) The flush is what group
// commit in the event writer shares among the deliveries that arrive
// together. Copying the WAL into the database file is left to a
// checkpointer in the background (sqlite_checkpoint.go), not to commits.
//
// In WAL mode readers do not block the writer nor each other, and see the
// last committed state. Reads outside transactions therefore use a separate
// pool of a few query-only connections, so a long write transaction never
// stalls page rendering.
type sqliteBackend struct {
	write *sql.DB
	read  *sql.DB
	river *river.Client[*sql.Tx]
	locks keyLocks
	ckpt  *checkpointer
}

func openSQLite(path string, maxReaders int, logger *slog.Logger) (*sqliteBackend, error) {
	if maxReaders == 0 {
		maxReaders = 4
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	writeDSN := fmt.Sprintf("%s?_busy_timeout=%d&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_txlock=immediate&_pragma=wal_autocheckpoint(%d)",
		path, busyTimeoutMillis, walBackstopPages)
	readDSN := fmt.Sprintf("%s?_busy_timeout=%d&_foreign_keys=on&_query_only=on", path, busyTimeoutMillis)

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL (a persistent
	// setting) before any reader opens it.
	if err := write.PingContext(context.Background()); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("opening SQLite %s: %w", path, err)
	}
	// The database file holds sealed secrets and personal data: keep it
	// private to the service's user.
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
		_ = write.Close()
		return nil, fmt.Errorf("restricting SQLite file mode: %w", err)
	}

	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("opening SQLite readers for %s: %w", path, err)
	}
	read.SetMaxOpenConns(maxReaders)
	read.SetMaxIdleConns(maxReaders)

	// An insert-only River client: it has no workers and never fetches
	// jobs; it only writes them inside store transactions. River's SQLite
	// driver wants the single-connection pool (see River's driver docs).
	rc, err := river.NewClient(riversqlite.New(write), &river.Config{Logger: logger})
	if err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, fmt.Errorf("creating River insert client: %w", err)
	}
	ckpt, err := startCheckpointer(fmt.Sprintf("%s?_busy_timeout=%d", path, busyTimeoutMillis), checkpointEvery, logger)
	if err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, err
	}
	return &sqliteBackend{write: write, read: read, river: rc, ckpt: ckpt}, nil
}

func (b *sqliteBackend) reader() querier { return sqlQuerier{b.read} }

func (b *sqliteBackend) begin(ctx context.Context) (txConn, error) {
	tx, err := b.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("beginning transaction: %w", sqliteError(err))
	}
	return &sqliteTx{sqlQuerier: sqlQuerier{tx}, tx: tx, river: b.river}, nil
}

func (b *sqliteBackend) close() {
	b.ckpt.close()
	_ = b.read.Close()
	// Closing the last connection checkpoints the WAL into the main file.
	_ = b.write.Close()
}

type sqliteTx struct {
	sqlQuerier
	tx    *sql.Tx
	river *river.Client[*sql.Tx]
}

func (t *sqliteTx) commit(context.Context) error   { return sqliteError(t.tx.Commit()) }
func (t *sqliteTx) rollback(context.Context) error { return t.tx.Rollback() }

func (t *sqliteTx) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := t.river.InsertTx(ctx, t.tx, args, opts)
	return err
}
