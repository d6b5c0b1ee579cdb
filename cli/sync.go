package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// defaultRetryFor is how long sync keeps retrying transient failures
// (rate limits, Carerix or network outages) while no page gets applied.
const defaultRetryFor = 10 * time.Minute

func (e *env) syncCmd() *cobra.Command {
	var slug string
	var retryFor time.Duration
	cmd := &cobra.Command{
		Use:   "sync --tenant SLUG",
		Short: "Run a tenant's initial sync in this process, or follow the one the service runs",
		Long: `Shows a tenant's initial sync: records, rate and ETA per entity (a progress bar
on a terminal, plain lines otherwise).

When the service runs the sync (provision starts it there), sync follows its
progress until it finishes; Ctrl-C stops following, not the sync. Otherwise it
runs the sync in this process: rate limits and Carerix or network outages are
retried with backoff, continuing after the last applied page, until --retry-for
passes without progress; wrong credentials or scopes and refused requests fail
at once. An interrupted sync continues where it stopped when run again; a
finished one is not repeated (webhooks and reconciliation keep the mirror up
to date).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			slug = strings.TrimSpace(slug)
			if slug == "" {
				return errors.New("--tenant must name a tenant (see tenant list)")
			}
			if retryFor < 0 {
				return errors.New("--retry-for must not be negative")
			}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				return e.explain(e.runSync(cmd.Context(), db, t, e.stdout, retryFor))
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	cmd.Flags().DurationVar(&retryFor, "retry-for", defaultRetryFor,
		"how long to keep retrying rate limits and outages while no page gets applied (0: do not retry)")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

// runSync shows tenant's initial sync on out: it follows the service's
// run when the service has it, runs it in-process otherwise, and prints
// what the mirror holds afterwards.
func (e *env) runSync(ctx context.Context, db *store.DB, tenant *recrubo.Tenant, out io.Writer, retryFor time.Duration) error {
	run, err := carerixsync.InitialRun(ctx, db, tenant.ID)
	if err != nil {
		return err
	}
	if run.State == recrubo.RunSucceeded {
		fmt.Fprintf(out, "The initial sync of %s already finished on %s, in %s; nothing to do: webhooks and reconciliation keep the mirror up to date.\n",
			tenant.Slug, run.FinishedAt.Local().Format(time.DateTime), run.FinishedAt.Sub(run.StartedAt).Round(100*time.Millisecond))
		return e.printSyncCounts(ctx, db, tenant, out)
	}
	job, err := serviceSyncJob(ctx, db, tenant.ID)
	if err != nil {
		return err
	}
	if job != nil {
		return e.followSync(ctx, db, tenant, out, job)
	}
	view := newProgressView(out, tenant.Slug)
	svc := carerixsync.New(carerixsync.Config{Store: db})
	start := time.Now()
	err = svc.RunInitialRetrying(ctx, run, view.page, carerixsync.Retry{For: retryFor, OnRetry: func(err error, wait time.Duration) {
		view.note(fmt.Sprintf("Carerix or the network failed (%s); retrying in %s, continuing after the last applied page.",
			shortError(err), wait.Round(time.Second)))
	}})
	if err != nil {
		view.stop()
		return err
	}
	view.finish()
	fmt.Fprintf(out, "Initial sync of %s finished in %s.\n", tenant.Slug, time.Since(start).Round(time.Millisecond))
	return e.printSyncCounts(ctx, db, tenant, out)
}

// serviceSyncJob returns the service's unfinished job for the tenant's
// initial sync (queued, running or waiting to retry), nil when there is
// none.
func serviceSyncJob(ctx context.Context, db *store.DB, tenantID string) (*store.JobInfo, error) {
	js, err := db.ActiveJobs(ctx, carerixsync.InitialArgs{}.Kind())
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		var args carerixsync.InitialArgs
		if json.Unmarshal(j.Args, &args) == nil && args.TenantID == tenantID {
			return &j, nil
		}
	}
	return nil, nil
}

// followPoll is how often following reads the service's progress.
const followPoll = 500 * time.Millisecond

// followWaitHint is how long following waits for the service to take up
// a queued sync before saying that serve must be running.
const followWaitHint = 15 * time.Second

// followSync shows the progress of the initial sync the service runs until
// it finishes (or fails), reading it from the store.
func (e *env) followSync(ctx context.Context, db *store.DB, tenant *recrubo.Tenant, out io.Writer, job *store.JobInfo) error {
	fmt.Fprintf(out, "The service runs the initial sync of %s (job %d, %s); following its progress. "+
		"Ctrl-C stops following, not the sync.\n", tenant.Slug, job.ID, job.State)
	view := newProgressView(out, tenant.Slug)
	seen := map[recrubo.Entity]carerixsync.EntityProgress{}
	since, hinted := time.Now(), false
	t := time.NewTicker(followPoll)
	defer t.Stop()
	for {
		p, err := carerixsync.Progress(ctx, db, tenant.ID)
		if err != nil {
			view.stop()
			return err
		}
		for _, ent := range syncOrder {
			for _, ep := range p.Entities {
				if ep.Entity == ent && ep != seen[ent] {
					seen[ent] = ep
					view.page(recrubo.SyncCheckpoint{Entity: ep.Entity, Records: ep.Records, Total: ep.Total, Done: ep.Done})
				}
			}
		}
		switch p.State {
		case string(recrubo.RunSucceeded):
			view.finish()
			fmt.Fprintf(out, "Initial sync of %s finished in %s.\n", tenant.Slug, p.FinishedAt.Sub(p.StartedAt).Round(time.Millisecond))
			return e.printSyncCounts(ctx, db, tenant, out)
		case string(recrubo.RunFailed):
			view.stop()
			return fmt.Errorf("the initial sync of %s failed in the service: %s", tenant.Slug, p.Error)
		}
		if !hinted && p.Records == 0 && time.Since(since) > followWaitHint {
			hinted = true
			view.note("Nothing applied yet: is `recrubo-carerix serve` running on this database? The service's workers run the sync.")
		}
		select {
		case <-ctx.Done():
			view.stop()
			fmt.Fprintf(out, "Stopped following; the service goes on with the sync (see sync --tenant %s again).\n", tenant.Slug)
			return nil
		case <-t.C:
		}
	}
}

// shortError is the first line of err, for a retry note.
func shortError(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// syncOrder is the order in which the initial sync walks the entities.
var syncOrder = []recrubo.Entity{recrubo.EntityCandidate, recrubo.EntityVacancy, recrubo.EntityMatch, recrubo.EntityRecruiter}

// entityPlural names the entities in the progress display.
var entityPlural = map[recrubo.Entity]string{
	recrubo.EntityCandidate: "candidates", recrubo.EntityVacancy: "vacancies",
	recrubo.EntityMatch: "matches", recrubo.EntityRecruiter: "recruiters",
}

// printSyncCounts prints the records in scope.
func (e *env) printSyncCounts(ctx context.Context, db *store.DB, tenant *recrubo.Tenant, out io.Writer) error {
	p, err := carerixsync.Progress(ctx, db, tenant.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "In scope: %d candidates, %d vacancies, %d matches, %d recruiters.\n",
		p.InScope[recrubo.EntityCandidate], p.InScope[recrubo.EntityVacancy], p.InScope[recrubo.EntityMatch],
		p.InScope[recrubo.EntityRecruiter])
	if len(tenant.Filters.VacancyStatuses) == 0 {
		fmt.Fprintln(out, "No vacancy statuses are set (filters.vacancy_statuses): no vacancies and no matches are synced.")
	}
	return nil
}
