package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/recrubo/recrubo-carerix/assets"
)

// migration is one versioned SQL file of assets/migrations/<dialect>.
type migration struct {
	version int64
	name    string
	sql     string
}

// createMigrationsTable is the one piece of DDL outside the migration
// files: it records which of them ran, and reads the same on both databases.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)`

// loadMigrations reads a dialect's migrations, ordered by version. Files are
// named NNNN_description.sql; a gap is allowed, a duplicate is not.
func loadMigrations(dialect string) ([]migration, error) {
	fsys, err := assets.Migrations(dialect)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("listing %s migrations: %w", dialect, err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with a positive number and '_'", dialect, e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s/%s: %w", dialect, e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return int(a.version - b.version) })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", out[i-1].name, out[i].name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s migrations embedded", dialect)
	}
	return out, nil
}

// applyMigrations runs each migration that is not yet recorded, each in its
// own transaction together with its record, so a failed migration leaves
// nothing half-applied. Each transaction looks again whether its migration
// is recorded: another process may have applied it since the list was read
// (on SQLite the transaction holds the write lock from its start, so that
// second look is final).
func applyMigrations(ctx context.Context, q querier, begin func(context.Context) (txConn, error), ms []migration, now int64) error {
	if _, err := q.exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	applied := map[int64]bool{}
	rs, err := q.query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	for rs.Next() {
		var v int64
		if err := rs.Scan(&v); err != nil {
			_ = rs.Close()
			return fmt.Errorf("reading schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rs.Close(); err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		tx, err := begin(ctx)
		if err != nil {
			return err
		}
		var recorded int64
		if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&recorded); err != nil {
			_ = tx.rollback(ctx)
			return fmt.Errorf("reading schema_migrations: %w", err)
		}
		if recorded > 0 {
			if err := tx.rollback(ctx); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			continue // another process applied it meanwhile
		}
		if _, err := tx.exec(ctx, m.sql); err != nil {
			_ = tx.rollback(ctx)
			return fmt.Errorf("applying migration %s: %w", m.name, err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, now); err != nil {
			_ = tx.rollback(ctx)
			return fmt.Errorf("recording migration %s: %w", m.name, err)
		}
		if err := tx.commit(ctx); err != nil {
			return fmt.Errorf("committing migration %s: %w", m.name, err)
		}
	}
	return nil
}

// migrateSQLite brings a SQLite database up to date: our migrations, then
// River's. The single writer connection serialises concurrent starters
// within a process. Across processes (serve and a command started at the
// same moment on a new database) every migration transaction holds the
// write lock from its start and looks again at what is applied, and
// River's migrations run in one such transaction, so the second process
// finds them applied instead of applying them twice.
func (db *DB) migrateSQLite(ctx context.Context, b *sqliteBackend) error {
	w := patientQuerier{sqlQuerier{b.write}}
	begin := func(ctx context.Context) (txConn, error) {
		var tx txConn
		err := awaitWriteLock(ctx, func() (err error) { tx, err = b.begin(ctx); return err })
		return tx, err
	}
	if err := applyMigrations(ctx, w, begin, db.migrations, microTime(db.now())); err != nil {
		return err
	}
	m, err := rivermigrate.New(riversqlite.New(b.write), &rivermigrate.Config{Logger: db.log})
	if err != nil {
		return fmt.Errorf("preparing River migrations: %w", err)
	}
	var tx *sql.Tx
	if err := awaitWriteLock(ctx, func() (err error) {
		tx, err = b.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock, held until commit
		return err
	}); err != nil {
		return fmt.Errorf("locking for River migrations: %w", err)
	}
	// SQLite runs DDL inside transactions and River's SQLite migrations
	// need no commit between them, so one transaction can hold them all.
	//lint:ignore SA1019 one transaction is what serialises processes here; see above
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("applying River migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("applying River migrations: %w", err)
	}
	db.riverVersion = latestRiverVersion(m.AllVersions())
	return nil
}

// migrationLockWait is how long a process starting on a SQLite database
// waits for the write lock while another migrates it: far longer than
// busy_timeout, since another process's migrations on a slow disk may
// hold the lock for several of its timeouts, and nothing else can be
// done before they are applied.
const migrationLockWait = 2 * time.Minute

// awaitWriteLock calls lock until it returns anything but "database
// busy" (after busy_timeout), for at most migrationLockWait.
func awaitWriteLock(ctx context.Context, lock func() error) error {
	deadline := time.Now().Add(migrationLockWait)
	for {
		err := lock()
		if !sqliteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// patientQuerier is a querier whose statements wait out another
// process's write lock (awaitWriteLock), as the migrations' schema table
// is created outside their transactions.
type patientQuerier struct{ querier }

func (p patientQuerier) exec(ctx context.Context, query string, args ...any) (n int64, err error) {
	err = awaitWriteLock(ctx, func() error {
		n, err = p.querier.exec(ctx, query, args...)
		return err
	})
	return n, err
}

// migratePostgres brings a PostgreSQL schema up to date under a session
// advisory lock keyed by the schema, so instances starting together take
// turns: the first applies the migrations, the others find them applied.
// River's migrations run while the lock is held.
func (db *DB) migratePostgres(ctx context.Context, b *pgBackend) (err error) {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquiring connection for migrations: %w", err)
	}
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		conn.Release()
		return fmt.Errorf("reading current schema: %w", err)
	}
	key := advisoryKey("recrubo schema migrations " + schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Release()
		return fmt.Errorf("taking migration lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
			// Never return a connection that may still hold the lock.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
	}()

	q := pgxQuerier{conn}
	begin := func(ctx context.Context) (txConn, error) {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return nil, fmt.Errorf("beginning migration transaction: %w", err)
		}
		return &pgTx{pgxQuerier: pgxQuerier{tx}, tx: tx}, nil
	}
	if err := applyMigrations(ctx, q, begin, db.migrations, microTime(db.now())); err != nil {
		return err
	}
	m, err := rivermigrate.New(riverpgxv5.New(b.pool), &rivermigrate.Config{Logger: db.log, Schema: b.schema})
	if err != nil {
		return fmt.Errorf("preparing River migrations: %w", err)
	}
	// River's migrator runs each of its migrations in a transaction of
	// its own (some add enum values a later one uses, which PostgreSQL
	// refuses within one transaction), on other pool connections; the lock
	// held here still keeps other starters out.
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("applying River migrations: %w", err)
	}
	db.riverVersion = latestRiverVersion(m.AllVersions())
	return nil
}

func latestRiverVersion(all []rivermigrate.Migration) int {
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
}

// advisoryKey turns a name into a PostgreSQL advisory lock key.
func advisoryKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// checkMigrated reports an error unless every migration, ours and River's,
// is recorded as applied. Ping uses it, so /readyz fails on a database that
// an older binary migrated.
func (db *DB) checkMigrated(ctx context.Context) error {
	q := db.be.reader()
	var n, maxV sql.NullInt64
	if err := q.queryRow(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &maxV); err != nil {
		return fmt.Errorf("reading schema_migrations: %w", err)
	}
	last := db.migrations[len(db.migrations)-1].version
	if n.Int64 != int64(len(db.migrations)) || maxV.Int64 != last {
		return fmt.Errorf("database schema is not up to date: %d of %d migrations applied (latest %d, want %d)",
			n.Int64, len(db.migrations), maxV.Int64, last)
	}
	var riverMax sql.NullInt64
	if err := q.queryRow(ctx, `SELECT max(version) FROM river_migration WHERE line = 'main'`).Scan(&riverMax); err != nil {
		return fmt.Errorf("reading River migrations: %w", err)
	}
	if riverMax.Int64 < int64(db.riverVersion) {
		return fmt.Errorf("the River schema is not up to date: version %d, want %d", riverMax.Int64, db.riverVersion)
	}
	return nil
}
