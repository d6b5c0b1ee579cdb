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
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription("Syncing "+tenant.Slug),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }),
	)
	progress := map[recrubo.Entity]recrubo.SyncCheckpoint{}
	cps, err := db.Checkpoints(ctx, tenant.ID, run.ID)
	if err != nil {
		return err
	}
	for _, cp := range cps {
		progress[cp.Entity] = *cp
	}
	onPage := func(cp recrubo.SyncCheckpoint) {
		progress[cp.Entity] = cp
		var records, total int64
		for _, p := range progress {
			records += p.Records
			total += max(p.Total, p.Records)
		}
		bar.Describe(fmt.Sprintf("Syncing %s: %s", tenant.Slug, entityPlural[cp.Entity]))
		bar.ChangeMax64(max(total, 1))
		_ = bar.Set64(records)
	}
	svc := crsync.New(crsync.Config{Store: db})
	start := time.Now()
	if err := svc.RunInitial(ctx, run, onPage); err != nil {
		_ = bar.Exit()
		fmt.Fprintln(out)
		return err
	}
	_ = bar.Finish()
	fmt.Fprintf(out, "Initial sync of %s finished in %s.\n", tenant.Slug, time.Since(start).Round(time.Millisecond))
	return e.printSyncCounts(ctx, db, tenant, out)
}

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
