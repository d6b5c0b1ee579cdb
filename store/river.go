package store

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// RiverClient is the part of a River client that runs jobs, without the
// driver's transaction type, so package jobs can hold either backend's.
type RiverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Stopped() <-chan struct{}
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// NewRiverClient returns a River client over this store's database, for
// working jobs. cfg.Schema is set to the store's schema. On SQLite the client
// shares the store's single write connection, as River's SQLite driver
// advises.
func (db *DB) NewRiverClient(cfg *river.Config) (RiverClient, error) {
	c := *cfg
	switch b := db.be.(type) {
	case *pgBackend:
		c.Schema = b.schema
		rc, err := river.NewClient(riverpgxv5.New(b.pool), &c)
		if err != nil {
			return nil, fmt.Errorf("store: creating River client: %w", err)
		}
		return rc, nil
	case *sqliteBackend:
		rc, err := river.NewClient(riversqlite.New(b.write), &c)
		if err != nil {
			return nil, fmt.Errorf("store: creating River client: %w", err)
		}
		return rc, nil
	}
	return nil, fmt.Errorf("store: no River driver for backend %q", db.backend)
}

// JobCounts returns how many River jobs are in each state (every state is
// present, zero or not), for metrics.
func (db *DB) JobCounts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	for _, s := range rivertype.JobStates() {
		counts[string(s)] = 0
	}
	rs, err := db.be.reader().query(ctx, `SELECT CAST(state AS TEXT), count(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: counting jobs: %w", err)
	}
	for rs.Next() {
		var (
			state string
			n     int64
		)
		if err := rs.Scan(&state, &n); err != nil {
			_ = rs.Close()
			return nil, fmt.Errorf("store: counting jobs: %w", err)
		}
		counts[state] = int(n)
	}
	if err := rs.Close(); err != nil {
		return nil, fmt.Errorf("store: counting jobs: %w", err)
	}
	return counts, nil
}
