package store

// The store owns the job queue: River's tables (migrated with the
// store's own), the clients that work them over the store's connections,
// and the inserts that enqueue jobs in the store's transactions, so a job
// is committed, or rolled back, with the change that made it. Package
// jobs works the queue through its Queue interface.

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// RiverClient is the part of a River client that runs jobs, without the
// driver's transaction type, so one type holds either backend's client.
// It is an alias of an interface literal, the same literal package jobs
// names, so *DB satisfies jobs.Queue without either package importing
// the other.
type RiverClient = interface {
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

// riverSQLiteTime is how River's SQLite driver writes times: its queries
// compare them as text, so any other layout would compare wrongly.
const riverSQLiteTime = "2006-01-02 15:04:05.000"

// TouchJob marks attempt of the running job id alive by moving its
// attempted_at to now: River's rescuer takes a job running since long
// before its kind's rescue delay for one whose process died, and a long job
// (see package jobs) is judged by its last mark. It reports false when that
// attempt is no longer running (the job was rescued or has finished).
func (db *DB) TouchJob(ctx context.Context, id int64, attempt int) (bool, error) {
	now := db.now().UTC()
	var at any = now
	if db.backend == backendSQLite {
		at = now.Round(time.Millisecond).Format(riverSQLiteTime)
	}
	var n int64
	err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		var err error
		n, err = tx.(*dbTx).conn.exec(ctx,
			`UPDATE river_job SET attempted_at = $1 WHERE id = $2 AND attempt = $3 AND state = 'running'`, at, id, attempt)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: marking job %d alive: %w", id, err)
	}
	return n == 1, nil
}

// JobInfo is a River job as ActiveJobs lists it.
type JobInfo struct {
	ID      int64
	Kind    string
	State   string
	Attempt int
	// Args are the job's arguments as stored (JSON).
	Args []byte
}

// ActiveJobs lists the jobs of kind that are not finished (available,
// scheduled, running, retryable or pending), oldest first.
func (db *DB) ActiveJobs(ctx context.Context, kind string) ([]JobInfo, error) {
	argsText := `CAST(args AS TEXT)`
	if db.backend == backendSQLite {
		// River's SQLite driver may store arguments as JSONB; json() reads
		// either form back as text.
		argsText = `CAST(CASE WHEN typeof(args) = 'text' AND NOT json_valid(args) THEN args ELSE json(args) END AS TEXT)`
	}
	jobs, err := collect(ctx, db.be.reader(), func(r rows) (JobInfo, error) {
		var j JobInfo
		var args string
		var attempt int64
		err := r.Scan(&j.ID, &j.Kind, &j.State, &attempt, &args)
		j.Attempt, j.Args = int(attempt), []byte(args)
		return j, err
	}, `SELECT id, kind, CAST(state AS TEXT), attempt, `+argsText+` FROM river_job
		WHERE kind = $1 AND CAST(state AS TEXT) IN ('available', 'scheduled', 'running', 'retryable', 'pending')
		ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("store: listing %s jobs: %w", kind, err)
	}
	return jobs, nil
}
