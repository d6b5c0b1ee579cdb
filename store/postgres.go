package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// pgBackend is a PostgreSQL database reached through a pgx pool.
type pgBackend struct {
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx]
	schema string
	// connConfig makes the dedicated LISTEN connection (not from the pool,
	// so it never takes a slot that queries need).
	connConfig *pgx.ConnConfig
}

func openPostgres(ctx context.Context, url, schema string, maxConns int, logger *slog.Logger) (*pgBackend, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("parsing PostgreSQL URL: invalid connection string")
	}
	if maxConns == 0 {
		maxConns = 10
	}
	cfg.MaxConns = int32(maxConns)
	if schema != "" {
		if err := ensureSchema(ctx, cfg.ConnConfig, schema); err != nil {
			return nil, err
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	// An insert-only River client: no workers, it only inserts jobs inside
	// store transactions.
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger, Schema: schema})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("creating River insert client: %w", err)
	}
	return &pgBackend{pool: pool, river: rc, schema: schema, connConfig: cfg.ConnConfig.Copy()}, nil
}

// ensureSchema creates the configured schema when it does not exist. It
// looks first, so a role without CREATE on the database can still use a
// schema an administrator made.
func ensureSchema(ctx context.Context, cc *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
		return fmt.Errorf("looking up schema %q: %w", schema, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
		// Two instances starting together may both try; IF NOT EXISTS does
		// not stop the loser's unique violation. Its schema exists: fine.
		if rerr := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); rerr == nil && exists {
			return nil
		}
		return fmt.Errorf("creating schema %q: %w", schema, err)
	}
	return nil
}

func (b *pgBackend) reader() querier { return pgxQuerier{b.pool} }

func (b *pgBackend) begin(ctx context.Context) (txConn, error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("beginning transaction: %w", pgxError(err))
	}
	return &pgTx{pgxQuerier: pgxQuerier{tx}, tx: tx, river: b.river}, nil
}

func (b *pgBackend) close() { b.pool.Close() }

type pgTx struct {
	pgxQuerier
	tx    pgx.Tx
	river *river.Client[pgx.Tx]
}

func (t *pgTx) commit(ctx context.Context) error   { return pgxError(t.tx.Commit(ctx)) }
func (t *pgTx) rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

func (t *pgTx) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := t.river.InsertTx(ctx, t.tx, args, opts)
	return err
}
