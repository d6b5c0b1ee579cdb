package provisioning

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// SyncStarter starts a tenant's initial sync unless one already ran.
type SyncStarter interface {
	StartInitial(ctx context.Context, tenantID string) (runID string, started bool, err error)
}

// LinkIssuer issues the admin's verify link, revoking the previous one.
type LinkIssuer interface {
	Issue(ctx context.Context, t *recrubo.Tenant) (url string, err error)
}

// Connector opens the Carerix client of a tenant's admin account.
type Connector func(t *recrubo.Tenant) (Admin, error)

// ConnectAdmin opens a *carerix.Client on the tenant's admin credentials;
// configure, when set, adjusts the configuration first.
func ConnectAdmin(configure func(*carerix.Config)) Connector {
	return func(t *recrubo.Tenant) (Admin, error) {
		cfg := carerix.AdminConfig(t)
		if configure != nil {
			configure(&cfg)
		}
		c, err := carerix.New(cfg)
		if err != nil {
			return nil, recrubo.WrapError(recrubo.EINVALID, err, "The admin account settings of tenant %s are not usable.", t.Slug)
		}
		return c, nil
	}
}

// Outcome is what a provisioning run did.
type Outcome struct {
	Plan *Plan
	// Applied is false for a dry run.
	Applied bool
	// SyncRunID and SyncStarted report the initial sync; VerifyURL the
	// link issued to the admin.
	SyncRunID   string
	SyncStarted bool
	VerifyURL   string
}

// Runner provisions a tenant end to end: check access, plan, apply,
// record the run, start the initial sync and issue the verify link.
type Runner struct {
	Provisioner *Provisioner
	Connect     Connector
	// Sync and Links are optional; nil skips that step.
	Sync  SyncStarter
	Links LinkIssuer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Provision provisions t. With dryRun it only checks access and plans.
func (r *Runner) Provision(ctx context.Context, t *recrubo.Tenant, dryRun bool) (*Outcome, error) {
	c, err := r.Connect(t)
	if err != nil {
		return nil, err
	}
	if err := CheckAccess(ctx, c); err != nil {
		return nil, err
	}
	started := r.now()
	plan, err := r.Provisioner.Plan(ctx, t, c)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Plan: plan}
	if dryRun {
		return out, nil
	}
	err = r.Provisioner.Apply(ctx, t, c, plan)
	if recErr := r.Provisioner.Record(ctx, t, "provision", started, plan, err); recErr != nil && err == nil {
		err = recErr
	}
	if err != nil {
		return out, err
	}
	out.Applied = true
	if r.Sync != nil {
		if out.SyncRunID, out.SyncStarted, err = r.Sync.StartInitial(ctx, t.ID); err != nil {
			return out, fmt.Errorf("starting the initial sync: %w", err)
		}
	}
	if r.Links != nil {
		if out.VerifyURL, err = r.Links.Issue(ctx, t); err != nil {
			return out, fmt.Errorf("issuing the verify link: %w", err)
		}
	}
	return out, nil
}

// Unprovision removes what provisioning created in t's Carerix. With
// dryRun it only plans.
func (r *Runner) Unprovision(ctx context.Context, t *recrubo.Tenant, dryRun bool) (*Plan, error) {
	c, err := r.Connect(t)
	if err != nil {
		return nil, err
	}
	if err := CheckAccess(ctx, c); err != nil {
		return nil, err
	}
	started := r.now()
	plan, err := r.Provisioner.UnprovisionPlan(ctx, t, c)
	if err != nil || dryRun {
		return plan, err
	}
	err = r.Provisioner.Unprovision(ctx, t, c, plan)
	if recErr := r.Provisioner.Record(ctx, t, "unprovision", started, plan, err); recErr != nil && err == nil {
		err = recErr
	}
	return plan, err
}

// JobArgs asks for a tenant to be provisioned in the background.
type JobArgs struct {
	TenantID string `json:"tenant_id"`
}

// Kind names the provisioning job.
func (JobArgs) Kind() string { return "provision" }

// HandleJob is the job handler: it provisions the tenant; the run and its
// outcome are stored (see LatestProvisionRun).
func (r *Runner) HandleJob(ctx context.Context, args JobArgs) error {
	t, err := r.Provisioner.Store.TenantByID(ctx, args.TenantID)
	if err != nil {
		return fmt.Errorf("loading tenant %s: %w", args.TenantID, err)
	}
	if _, err := r.Provision(ctx, t, false); err != nil {
		return fmt.Errorf("provisioning tenant %s: %w", t.Slug, err)
	}
	return nil
}
