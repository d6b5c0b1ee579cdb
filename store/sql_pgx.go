package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgxConn is what a pgx pool and a pgx transaction have in common.
type pgxConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgxQuerier adapts a pgx pool or transaction to querier.
type pgxQuerier struct{ c pgxConn }

func (p pgxQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.c.Exec(ctx, query, args...)
	if err != nil {
		return 0, pgxError(err)
	}
	return tag.RowsAffected(), nil
}

func (p pgxQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	rs, err := p.c.Query(ctx, query, args...)
	if err != nil {
		return nil, pgxError(err)
	}
	return pgxRows{rs}, nil
}

func (p pgxQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return pgxRow{p.c.QueryRow(ctx, query, args...)}
}

type pgxRows struct{ rs pgx.Rows }

func (r pgxRows) Next() bool             { return r.rs.Next() }
func (r pgxRows) Scan(dest ...any) error { return pgxError(r.rs.Scan(dest...)) }
func (r pgxRows) Close() error {
	r.rs.Close()
	return pgxError(r.rs.Err())
}

type pgxRow struct{ r pgx.Row }

func (r pgxRow) Scan(dest ...any) error { return pgxError(r.r.Scan(dest...)) }

// pgxError classifies constraint violations, and outages as EUNAVAILABLE;
// pgx.ErrNoRows already matches sql.ErrNoRows.
func pgxError(err error) error {
	if err == nil || errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if pgUnavailable(err) {
		return unavailable(err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505":
		return fmt.Errorf("%w: %w", errUniqueViolation, err)
	case "23503":
		return fmt.Errorf("%w: %w", errForeignKeyViolation, err)
	}
	return err
}
