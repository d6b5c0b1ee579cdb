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
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/verify"
)

// errNoPublicURL explains why provisioning needs PUBLIC_URL set.
var errNoPublicURL = errors.New("PUBLIC_URL is not set: provisioning writes it into the tenant's Carerix " +
	"templates and webhooks and into the verify link; export PUBLIC_URL=https://<where Carerix reaches this service>")

// publicURL reads PUBLIC_URL for a command that writes it into a tenant's
// Carerix or hands it to the admin. It must be set explicitly (the
// default, a local address, would install templates that frame nothing)
// and pass the checks serve applies to it.
func (e *env) publicURL() (string, error) {
	if strings.TrimSpace(e.getenv("PUBLIC_URL")) == "" {
		return "", errNoPublicURL
	}
	cfg := config.Default()
	errs := cfg.Apply(e.getenv)
	errs = append(errs, cfg.Validate()...)
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return cfg.PublicURL, nil
}

func (e *env) provisionCmd() *cobra.Command {
	var slug string
	var dryRun, inService, status bool
	cmd := &cobra.Command{
		Use:   "provision",
		Short: "Install the templates and webhooks in a tenant's Carerix",
		Long: "Checks the tenant's admin credentials and scopes, prints the plan (create, update or\n" +
			"unchanged per template and webhook), then applies it, starts the initial sync in the\n" +
			"service and prints the admin's verify link. Running it again changes only what differs,\n" +
			"and prints the admin's current link again while it is valid for at least another day\n" +
			"(tenant verify-link issues a new one).\n\n" +
			"With --in-service the running service provisions instead, as a background job that\n" +
			"retries while Carerix is unavailable (its PUBLIC_URL is used; no link is printed: use\n" +
			"tenant verify-link). --status shows how the latest run, of either kind, went.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case status:
				return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
					return e.explain(e.printProvisionStatus(cmd.Context(), db, t))
				})
			case inService:
				if dryRun {
					return errors.New("--dry-run runs here: leave out --in-service")
				}
				return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
					return e.explain(e.enqueueProvision(cmd.Context(), db, t))
				})
			}
			pub, err := e.publicURL()
			if err != nil {
				return err
			}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				if _, err := e.runProvision(cmd.Context(), db, t, pub, e.stdout, provisionOptions{dryRun: dryRun, startSync: true}); err != nil {
					return e.explain(err)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan without changing anything")
	cmd.Flags().BoolVar(&inService, "in-service", false, "let the running service provision, as a background job that retries while Carerix is unavailable")
	cmd.Flags().BoolVar(&status, "status", false, "show how the latest provisioning run went")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

// enqueueProvision asks the service to provision t: the provisioning job,
// which its workers run, retrying while Carerix is unavailable.
func (e *env) enqueueProvision(ctx context.Context, db *store.DB, t *recrubo.Tenant) error {
	if err := db.Enqueue(ctx, provisioning.JobArgs{TenantID: t.ID}, &recrubo.JobOptions{UniqueByArgs: true}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Queued: the service provisions %s in the background and starts its initial sync; "+
		"it retries while Carerix is unavailable, and needs `recrubo-carerix serve` running with PUBLIC_URL set.\n"+
		"  provision --tenant %[1]s --status   how it went (credential and scope errors are not retried)\n"+
		"  sync --tenant %[1]s                 follow the initial sync\n"+
		"  tenant verify-link --tenant %[1]s   the admin's verify link (the job hands out none)\n", t.Slug)
	return nil
}

// printProvisionStatus prints the tenant's latest provisioning run and
// whether one waits in the service.
func (e *env) printProvisionStatus(ctx context.Context, db *store.DB, t *recrubo.Tenant) error {
	js, err := db.ActiveJobs(ctx, provisioning.JobArgs{}.Kind())
	if err != nil {
		return err
	}
	for _, j := range js {
		var args provisioning.JobArgs
		if json.Unmarshal(j.Args, &args) == nil && args.TenantID == t.ID {
			fmt.Fprintf(e.stdout, "In the service: job %d, %s (attempt %d).\n", j.ID, j.State, j.Attempt)
		}
	}
	run, err := db.LatestProvisionRun(ctx, t.ID)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		fmt.Fprintf(e.stdout, "%s has not been provisioned yet.\n", t.Slug)
		return nil
	}
	if err != nil {
		return err
	}
	when := run.StartedAt.Local().Format(time.DateTime)
	if !run.FinishedAt.IsZero() {
		when += " to " + run.FinishedAt.Local().Format(time.DateTime)
	}
	fmt.Fprintf(e.stdout, "Latest run: %s, %s (%s)\n", run.Action, run.State, when)
	if run.Summary != "" {
		fmt.Fprint(e.stdout, indent(run.Summary))
	}
	if run.Error != "" {
		fmt.Fprintf(e.stdout, "Error: %s\n", run.Error)
	}
	return nil
}

// provisionRunner assembles the provisioning runner for an operator
// command, the job or the demo. A nil sync starts no initial sync.
func provisionRunner(db *store.DB, publicURL string, sync provisioning.SyncStarter) *provisioning.Runner {
	return &provisioning.Runner{
		Provisioner: &provisioning.Provisioner{Store: db, PublicURL: publicURL},
		Connect:     provisioning.ConnectAdmin(nil),
		Sync:        sync,
		Links:       &verify.Links{Store: db, PublicURL: publicURL},
	}
}

// provisionOptions tune runProvision.
type provisionOptions struct {
	// dryRun prints the plan and changes nothing.
	dryRun bool
	// startSync enqueues the initial sync (a durable job the service's
	// workers run) when none has run; the demo runs it in-process instead.
	startSync bool
}

// runProvision provisions tenant t, printing the plan and the outcome to
// out, and returns the verify link it issued ("" for a dry run).
func (e *env) runProvision(ctx context.Context, db *store.DB, t *recrubo.Tenant, publicURL string, out io.Writer, o provisionOptions) (string, error) {
	fmt.Fprintf(out, "Provisioning %s (%s) through its admin account\n", t.Slug, t.DisplayName)
	var sync provisioning.SyncStarter
	if o.startSync {
		sync = initialSyncStarter(db)
	}
	dryRun := o.dryRun
	runner := provisionRunner(db, publicURL, sync)
	runner.OnContract = func(k *carerix.Contract) { // before anything else
		fmt.Fprintln(out, "Carerix API contract:")
		fmt.Fprint(out, indent(strings.Join(k.Summary(), "\n")+"\n"))
	}
	runner.OnPlan = func(p *provisioning.Plan) { // before anything is applied
		fmt.Fprintln(out, "Admin credentials and scopes: ok")
		fmt.Fprint(out, indent(p.String()))
	}
	res, err := runner.Provision(ctx, t, dryRun)
	if err != nil {
		return "", err
	}
	switch {
	case dryRun && res.Plan.Changes() == 0:
		fmt.Fprintln(out, "Dry run: nothing would change; everything is up to date.")
		return "", nil
	case dryRun:
		fmt.Fprintf(out, "Dry run: %d changes planned, nothing changed.\n", res.Plan.Changes())
		return "", nil
	case res.Plan.Changes() == 0:
		fmt.Fprintln(out, "Nothing changed: everything is up to date.")
	default:
		fmt.Fprintf(out, "Applied %d changes.\n", res.Plan.Changes())
	}
	switch {
	case res.SyncStarted:
		fmt.Fprintf(out, "Initial sync started (run %s).\n", res.SyncRunID)
	case res.SyncRunID != "":
		fmt.Fprintf(out, "Initial sync already ran (run %s).\n", res.SyncRunID)
	}
	until := res.VerifyExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	if res.VerifyIssued {
		fmt.Fprintf(out, "Verify link for the admin (new, valid until %s; replaces any earlier link):\n%s\n", until, res.VerifyURL)
	} else {
		fmt.Fprintf(out, "Verify link for the admin (the current one, still valid until %s; tenant verify-link issues a new one):\n%s\n",
			until, res.VerifyURL)
	}
	return res.VerifyURL, nil
}

// indent indents every line of s by two spaces.
func indent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString("  ")
		b.WriteString(strings.TrimSuffix(line, "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}

func (e *env) unprovisionCmd() *cobra.Command {
	var slug string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "unprovision",
		Short: "Remove what provision installed",
		Long: "Deletes exactly the templates, the integration check activity and the webhook application\n" +
			"(with its webhooks) that provision created, clears the tenant's verification and revokes\n" +
			"its verify link.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Removing needs no public URL: what we created is found by our
			// records, our template codes and our application's name.
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				plan, err := provisionRunner(db, "", nil).Unprovision(cmd.Context(), t, dryRun)
				if plan != nil {
					fmt.Fprint(e.stdout, indent(plan.String()))
				}
				if err != nil {
					return e.explain(err)
				}
				switch {
				case plan.Changes() == 0:
					fmt.Fprintln(e.stdout, "Nothing to remove.")
				case dryRun:
					fmt.Fprintf(e.stdout, "Dry run: %d removals planned, nothing changed.\n", plan.Changes())
				default:
					fmt.Fprintf(e.stdout, "Removed %d items.\n", plan.Changes())
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be removed without changing anything")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func (e *env) tenantVerifyLinkCmd() *cobra.Command {
	var slug string
	cmd := &cobra.Command{
		Use:   "verify-link",
		Short: "Issue a new verify link for the tenant's admin (revokes the previous one)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, err := e.publicURL()
			if err != nil {
				return err
			}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				u, err := (&verify.Links{Store: db, PublicURL: pub}).Issue(cmd.Context(), t)
				if err != nil {
					return e.explain(err)
				}
				fmt.Fprintln(e.stdout, u)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}
