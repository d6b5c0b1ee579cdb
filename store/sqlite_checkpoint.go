package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// Checkpoints of the SQLite write-ahead log.
//
// By default SQLite checkpoints on the writer: the commit that finds the
// WAL past wal_autocheckpoint pages (1,000) also copies the WAL into the
// database file and flushes that before it returns, so every delivery
// waiting on that commit waits for the copy too. Here the writer's
// threshold is set far higher (walBackstopPages) and a checkpointer copies
// the WAL every checkpointEvery instead, on a connection of its own, in
// PASSIVE mode: it takes no lock a writer or reader waits on, and copies
// what no reader still needs. The writer's threshold is left as a backstop
// should the checkpointer fall behind or fail.

const (
	// checkpointEvery is how often the checkpointer copies the WAL.
	checkpointEvery = time.Second
	// walBackstopPages is the writer's wal_autocheckpoint: some 40 MB of
	// 4 KB pages, over a second of the fastest ingest.
	walBackstopPages = 10_000
)

// checkpointer checkpoints one SQLite database in the background.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
}

// startCheckpointer opens a connection to the database at dsn and
// checkpoints it every interval until close.
func startCheckpointer(dsn string, interval time.Duration, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, log: log, stop: stop, done: make(chan struct{})}
	go c.run(ctx, interval)
	return c, nil
}

// run checkpoints every interval until ctx ends. A failure is logged
// once until a checkpoint works again (the writer's backstop holds the
// WAL meanwhile).
func (c *checkpointer) run(ctx context.Context, interval time.Duration) {
	defer close(c.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := c.checkpoint(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			c.log.WarnContext(ctx, "checkpointing the SQLite write-ahead log failed; the writer will checkpoint once it grows past its bound",
				"err", err, "bound_pages", walBackstopPages)
			failing = true
		case err == nil && failing:
			c.log.InfoContext(ctx, "checkpointing the SQLite write-ahead log works again")
			failing = false
		}
	}
}

// checkpoint copies into the database file what of the WAL no reader
// still needs.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, frames, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpointing: %w", sqliteError(err))
	}
	return nil
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() {
	c.stop()
	<-c.done
	_ = c.db.Close()
}
