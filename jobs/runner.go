package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"time"

	"github.com/riverqueue/river"
)

// Queue is the durable job queue a Runner works: the database that holds
// the jobs (the store), which builds River clients over its own
// connections, counts jobs by state, and marks a running attempt alive.
// Enqueueing is the database's too (recrubo.Tx.Enqueue), in the
// transaction of the change that makes the job.
type Queue interface {
	// NewRiverClient returns a client for working jobs with cfg.
	NewRiverClient(cfg *river.Config) (RiverClient, error)
	// JobCounts returns how many jobs are in each River state.
	JobCounts(ctx context.Context) (map[string]int, error)
	// TouchJob marks attempt of running job id alive; false when that
	// attempt no longer runs.
	TouchJob(ctx context.Context, id int64, attempt int) (bool, error)
}

// RiverClient is the part of a River client that runs jobs, whichever
// database driver it has. (An alias of an interface literal, identical to
// the one the store returns.)
type RiverClient = interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Stopped() <-chan struct{}
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Config configures a Runner.
type Config struct {
	// Queues maps queue names to how many jobs of each run at once.
	// Default: {"default": 4}.
	Queues map[string]int
	// Logger receives River's log. Default: discard.
	Logger *slog.Logger
	// PollInterval is how often to look for jobs that no notification
	// announced (retries and scheduled jobs). Default: one second.
	PollInterval time.Duration
	// JobTimeout bounds an attempt of kinds without their own Timeout
	// (and is how long after a crash such a job is rescued). Default: one
	// minute.
	JobTimeout time.Duration
	// RescueAfter is how long after its last heartbeat a long job
	// (Timeout -1) whose process died is run again, for kinds without
	// their own HandleOptions.RescueAfter. Default: one minute.
	RescueAfter time.Duration
	// StopTimeout bounds the hard stop that follows when Stop's context
	// expires before running jobs finish. Default: ten seconds.
	StopTimeout time.Duration
}

// Runner works jobs with River on the queue's database.
type Runner struct {
	queue       Queue
	client      RiverClient
	reg         *Registry
	rt          *runtime
	stopTimeout time.Duration
	idle        bool // no kinds registered: nothing to start
}

// RescueDelay is how long after its process dies a job of kind is run
// again (see the package documentation); 0 for an unknown kind.
func (r *Runner) RescueDelay(kind string) time.Duration {
	o, ok := r.reg.kinds[kind]
	if !ok {
		return 0
	}
	return r.rt.rescueDelay(o)
}

// NewRunner prepares a runner for the registry's kinds; Start starts it.
func NewRunner(q Queue, reg *Registry, cfg Config) (*Runner, error) {
	if q == nil || reg == nil {
		return nil, errors.New("jobs: NewRunner needs a queue and a registry")
	}
	queues := map[string]river.QueueConfig{}
	for name, n := range cfg.Queues {
		if n <= 0 {
			return nil, fmt.Errorf("jobs: queue %q has concurrency %d, want at least 1", name, n)
		}
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	if len(queues) == 0 {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 4}
	}
	if cfg.PollInterval < 0 || cfg.JobTimeout < 0 || cfg.StopTimeout < 0 || cfg.RescueAfter < 0 {
		return nil, errors.New("jobs: intervals and timeouts must not be negative")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rt := &runtime{
		jobTimeout:  cmp.Or(cfg.JobTimeout, time.Minute),
		rescueAfter: cmp.Or(cfg.RescueAfter, time.Minute),
		beat:        q.TouchJob,
		log:         logger,
	}
	workers, err := reg.workers(rt)
	if err != nil {
		return nil, err
	}
	rc := &river.Config{
		Queues:            queues,
		Workers:           workers,
		Logger:            logger,
		FetchPollInterval: cfg.PollInterval,
		// Every worker answers its own timeout (worker.Timeout), so River's
		// default never applies; its rescuer looks at jobs running at least
		// as long as the shortest rescue delay of the registered kinds.
		JobTimeout:           -1,
		RescueStuckJobsAfter: reg.shortestRescue(rt),
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < 100*time.Millisecond {
		// River fetches at most once per cooldown (100ms by default) and
		// wants the poll interval no shorter.
		rc.FetchCooldown = cfg.PollInterval
	}
	client, err := q.NewRiverClient(rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	stop := cfg.StopTimeout
	if stop == 0 {
		stop = 10 * time.Second
	}
	return &Runner{queue: q, client: client, reg: reg, rt: rt, stopTimeout: stop, idle: len(reg.kinds) == 0}, nil
}

// Start starts fetching and working jobs. Cancelling ctx begins a soft
// stop, as Stop does.
func (r *Runner) Start(ctx context.Context) error {
	if r.idle {
		// River refuses to start without workers; with no kinds there is
		// nothing to work, and enqueued jobs wait for a release that has them.
		return nil
	}
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: starting: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish. If ctx
// ends first, running jobs have their contexts cancelled and Stop waits (up
// to Config.StopTimeout) for them to return; their jobs will be retried.
func (r *Runner) Stop(ctx context.Context) error {
	if r.idle {
		return nil
	}
	err := r.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("jobs: stopping: %w", err)
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.stopTimeout)
	defer cancel()
	if herr := r.client.StopAndCancel(hard); herr != nil {
		return fmt.Errorf("jobs: running jobs did not finish in time, and cancelling them failed: %w", herr)
	}
	return fmt.Errorf("jobs: running jobs did not finish in time and were cancelled: %w", err)
}

// Counts returns how many jobs are in each River state (available,
// running, retryable, ...), for metrics.
func (r *Runner) Counts(ctx context.Context) (map[string]int, error) {
	counts, err := r.queue.JobCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return maps.Clone(counts), nil
}
