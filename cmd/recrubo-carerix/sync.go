package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	crsync "github.com/recrubo/recrubo-carerix/sync"
)

func (e *env) syncCmd() *cobra.Command {
	var slug string
	cmd := &cobra.Command{
		Use:   "sync --tenant SLUG",
		Short: "Run a tenant's initial sync now, in this process, with a progress bar",
		Long: `Run a tenant's initial sync in this process, showing records, rate and ETA.
An interrupted sync continues where it stopped when run again; a finished one
is not repeated (webhooks and reconciliation keep the mirror up to date).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			slug = strings.TrimSpace(slug)
			if slug == "" {
				return errors.New("--tenant must name a tenant (see tenant list)")
			}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				return e.explain(e.runSync(cmd.Context(), db, t, e.stdout))
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

// runSync runs tenant's initial sync in-process, drawing a progress bar on
// out, and prints what the mirror holds afterwards.
func (e *env) runSync(ctx context.Context, db *store.DB, tenant *recrubo.Tenant, out io.Writer) error {
	run, err := crsync.InitialRun(ctx, db, tenant.ID)
	if err != nil {
		return err
	}
	if run.State == recrubo.RunSucceeded {
		fmt.Fprintf(out, "The initial sync of %s already finished on %s; webhooks and reconciliation keep it up to date.\n",
			tenant.Slug, run.FinishedAt.Local().Format(time.DateTime))
		return e.printSyncCounts(ctx, db, tenant, out)
	}
	// One bar per entity, in the order the sync walks them. Each bar starts
	// as a spinner when the entity before it finishes (so its rate counts
	// from then) and learns its total with the entity's first page.
	newBar := func(entity recrubo.Entity) *progressbar.ProgressBar {
		return progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(out),
			progressbar.OptionSetDescription(fmt.Sprintf("Syncing %s: %-10s", tenant.Slug, entityPlural[entity])),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }),
		)
	}
	next := func(e recrubo.Entity) (recrubo.Entity, bool) {
		for i, x := range syncOrder[:len(syncOrder)-1] {
			if x == e {
				return syncOrder[i+1], true
			}
		}
		return "", false
	}
	current := syncOrder[0]
	bar := newBar(current)
	onPage := func(cp recrubo.SyncCheckpoint) {
		if cp.Entity != current { // resumed past the entities before
			_ = bar.Exit()
			bar, current = newBar(cp.Entity), cp.Entity
		}
		if total := max(cp.Total, cp.Records); total > 0 && bar.GetMax64() != total {
			bar.ChangeMax64(total)
		}
		_ = bar.Set64(cp.Records)
		if !cp.Done {
			return
		}
		_ = bar.Finish()
		if e, ok := next(cp.Entity); ok {
			bar, current = newBar(e), e
		}
	}
	svc := crsync.New(crsync.Config{Store: db})
	start := time.Now()
	if err := svc.RunInitial(ctx, run, onPage); err != nil {
		_ = bar.Exit()
		fmt.Fprintln(out)
		return err
	}
	if !bar.IsFinished() {
		_ = bar.Finish()
	}
	fmt.Fprintf(out, "Initial sync of %s finished in %s.\n", tenant.Slug, time.Since(start).Round(time.Millisecond))
	return e.printSyncCounts(ctx, db, tenant, out)
}

// syncOrder is the order in which the initial sync walks the entities.
var syncOrder = []recrubo.Entity{recrubo.EntityCandidate, recrubo.EntityVacancy, recrubo.EntityMatch, recrubo.EntityRecruiter}

// entityPlural names the entities in the progress bar.
var entityPlural = map[recrubo.Entity]string{
	recrubo.EntityCandidate: "candidates", recrubo.EntityVacancy: "vacancies",
	recrubo.EntityMatch: "matches", recrubo.EntityRecruiter: "recruiters",
}

// printSyncCounts prints the records in scope.
func (e *env) printSyncCounts(ctx context.Context, db *store.DB, tenant *recrubo.Tenant, out io.Writer) error {
	p, err := crsync.Progress(ctx, db, tenant.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "In scope: %d candidates, %d vacancies, %d matches, %d recruiters.\n",
		p.InScope[recrubo.EntityCandidate], p.InScope[recrubo.EntityVacancy], p.InScope[recrubo.EntityMatch],
		p.InScope[recrubo.EntityRecruiter])
	return nil
}
