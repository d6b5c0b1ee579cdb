package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlConn is what a *sql.DB and a *sql.Tx have in common.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlQuerier adapts a database/sql pool or transaction (SQLite) to querier.
type sqlQuerier struct{ c sqlConn }

func (s sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.c.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, sqliteError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("reading rows affected: %w", err)
	}
	return n, nil
}

func (s sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	rs, err := s.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, sqliteError(err)
	}
	return sqlRows{rs}, nil
}

func (s sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return sqlRow{s.c.QueryRowContext(ctx, query, args...)}
}

type sqlRows struct{ rs *sql.Rows }

func (r sqlRows) Next() bool             { return r.rs.Next() }
func (r sqlRows) Scan(dest ...any) error { return sqliteError(r.rs.Scan(dest...)) }
func (r sqlRows) Close() error {
	if err := r.rs.Err(); err != nil {
		_ = r.rs.Close()
		return sqliteError(err)
	}
	return sqliteError(r.rs.Close())
}

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return sqliteError(r.r.Scan(dest...)) }

// sqliteError classifies constraint violations by SQLite's extended result
// codes, and outages (a lock held too long, a full disk) as EUNAVAILABLE.
func sqliteError(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	if sqliteUnavailable(err) {
		return unavailable(err)
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", errUniqueViolation, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", errForeignKeyViolation, err)
	}
	return err
}
