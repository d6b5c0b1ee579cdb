package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// querier is the little SQL surface every store query is written against.
// Both databases accept the same statements ($1 positional parameters,
// ON CONFLICT ... DO UPDATE, RETURNING), so each query exists once; the
// adapters in sql_pgx.go and sql_database.go bind it to pgx (PostgreSQL) or
// database/sql (SQLite), to a pool or to a transaction.
type querier interface {
	// exec runs a statement and returns the number of rows it affected.
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
}

// rows iterates a result set. Close must be called; it returns the
// iteration's error, if any.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Close() error
}

// row is a single-row result. Scan returns an error wrapping sql.ErrNoRows
// when there is no row, on both backends.
type row interface {
	Scan(dest ...any) error
}

// Driver errors the store reacts to, classified by the adapters so the
// query code never inspects driver-specific error types.
var (
	errUniqueViolation     = errors.New("unique constraint violated")
	errForeignKeyViolation = errors.New("foreign key constraint violated")
)

// microTime converts a time to the stored form: unix microseconds in UTC,
// with the zero time stored as 0.
func microTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// timeMicro converts a stored time back; 0 is the zero time.
func timeMicro(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// isNoRows reports whether err says a single-row query found nothing.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q querier, scan func(rows) (T, error), query string, args ...any) ([]T, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			_ = rs.Close()
			return nil, err
		}
		out = append(out, v)
	}
	if err := rs.Close(); err != nil {
		return nil, err
	}
	return out, nil
}
