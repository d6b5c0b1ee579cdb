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

// LinkIssuer hands out the admin's verify link; *verify.Links implements
// it.
type LinkIssuer interface {
	// Issue makes a new link for t, revoking the previous one, and returns
	// its URL.
	Issue(ctx context.Context, t *recrubo.Tenant) (url string, err error)
	// Current returns the URL of t's link that is valid now, and when it
	// expires; url is "" when none is (never issued, expired or revoked).
	Current(ctx context.Context, t *recrubo.Tenant) (url string, expiresAt time.Time, err error)
	// Revoke makes t's current link stop working.
	Revoke(ctx context.Context, t *recrubo.Tenant) error
}

// LinkReuseMin is how long the admin's current verify link must still be
// valid for Provision to hand it out again instead of issuing a new one.
// Issuing revokes the link the admin may already hold, so a rerun keeps
// it; only a link about to expire is replaced. (`tenant verify-link`
// issues a new link on request.)
const LinkReuseMin = 24 * time.Hour

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
	// Contract is the tenant's Carerix API contract as read by the run.
	Contract *carerix.Contract
	// Applied is false for a dry run.
	Applied bool
	// SyncRunID and SyncStarted report the initial sync.
	SyncRunID   string
	SyncStarted bool
	// VerifyURL is the admin's verify link and VerifyExpiresAt when it
	// expires. VerifyIssued is true when this run issued it (revoking the
	// previous link), false when it is the current link handed out again.
	VerifyURL       string
	VerifyExpiresAt time.Time
	VerifyIssued    bool
}

// Runner provisions a tenant end to end: check access, plan, apply, start
// the initial sync, hand out the verify link and record the run. Every run
// that is not a dry run is recorded (see recrubo.ProvisionStore's
// LatestProvisionRun), failed ones with their error, wherever they failed.
type Runner struct {
	Provisioner *Provisioner
	Connect     Connector
	// Sync and Links are optional; nil skips that step.
	Sync  SyncStarter
	Links LinkIssuer
	// OnContract, when set, receives the tenant's Carerix API contract
	// once it is read, before anything else (on a dry run too).
	OnContract func(*carerix.Contract)
	// OnPlan, when set, receives the plan once access is checked and the
	// plan is made, before anything is applied (on a dry run too).
	OnPlan func(*Plan)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Provision provisions t. With dryRun it only checks access and plans,
// and records nothing. The Outcome is nil when the run failed before it
// had a plan. The admin's current verify link is handed out again
// while it stays valid for LinkReuseMin; otherwise a new one is issued.
func (r *Runner) Provision(ctx context.Context, t *recrubo.Tenant, dryRun bool) (*Outcome, error) {
	return r.provision(ctx, t, dryRun, LinkReuseMin)
}

// provision runs and, unless dryRun, records a provisioning of t. A
// current verify link valid for at least linkMin is kept.
func (r *Runner) provision(ctx context.Context, t *recrubo.Tenant, dryRun bool, linkMin time.Duration) (*Outcome, error) {
	started := r.now()
	out, err := r.provisionSteps(ctx, t, dryRun, linkMin)
	if dryRun {
		return out, err
	}
	var plan *Plan
	if out != nil {
		plan = out.Plan
	}
	if recErr := r.Provisioner.Record(ctx, t, "provision", started, plan, err); recErr != nil && err == nil {
		err = recErr
	}
	return out, err
}

// provisionSteps does the work of provision; its Outcome is nil when it
// failed before planning.
func (r *Runner) provisionSteps(ctx context.Context, t *recrubo.Tenant, dryRun bool, linkMin time.Duration) (*Outcome, error) {
	c, err := r.Connect(t)
	if err != nil {
		return nil, err
	}
	k, err := r.readContract(ctx, t, c, dryRun)
	if err != nil {
		return nil, err
	}
	if err := CheckAccess(ctx, c); err != nil {
		return nil, err
	}
	plan, err := r.Provisioner.Plan(ctx, t, c)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Plan: plan, Contract: k}
	if r.OnPlan != nil {
		r.OnPlan(plan)
	}
	if dryRun {
		return out, nil
	}
	if err := r.Provisioner.Apply(ctx, t, c, plan); err != nil {
		return out, err
	}
	out.Applied = true
	if r.Sync != nil {
		if out.SyncRunID, out.SyncStarted, err = r.Sync.StartInitial(ctx, t.ID); err != nil {
			return out, fmt.Errorf("starting the initial sync: %w", err)
		}
	}
	if r.Links != nil {
		if err := r.verifyLink(ctx, t, out, linkMin); err != nil {
			return out, err
		}
	}
	return out, nil
}

// readContract reads the tenant's Carerix API contract through the admin
// account, stores it (not on a dry run) and hands it to OnContract. A
// contract lacking a required need fails the run before anything is
// installed or synced, naming the Carerix type, the field and the names
// tried.
func (r *Runner) readContract(ctx context.Context, t *recrubo.Tenant, c Admin, dryRun bool) (*carerix.Contract, error) {
	k, err := c.ReadContract(ctx)
	if err != nil {
		return nil, Explain("reading the tenant's Carerix API contract", err)
	}
	if !dryRun {
		if err := carerix.SaveContract(ctx, r.Provisioner.Store, t.ID, k); err != nil {
			return nil, fmt.Errorf("storing the Carerix API contract: %w", err)
		}
	}
	if r.OnContract != nil {
		r.OnContract(k)
	}
	if err := k.Err(); err != nil {
		return k, Explain("reading the tenant's Carerix API contract", err)
	}
	return k, nil
}

// verifyLink sets out's verify link: t's current link when it is valid
// for at least minLeft (any valid link when minLeft is zero), else a new
// one, which revokes the previous.
func (r *Runner) verifyLink(ctx context.Context, t *recrubo.Tenant, out *Outcome, minLeft time.Duration) error {
	u, exp, err := r.Links.Current(ctx, t)
	if err != nil {
		return fmt.Errorf("reading the current verify link: %w", err)
	}
	if u != "" && (minLeft <= 0 || exp.Sub(r.now()) >= minLeft) {
		out.VerifyURL, out.VerifyExpiresAt = u, exp
		return nil
	}
	if u, err = r.Links.Issue(ctx, t); err != nil {
		return fmt.Errorf("issuing the verify link: %w", err)
	}
	if _, exp, err = r.Links.Current(ctx, t); err != nil {
		return fmt.Errorf("reading the new verify link: %w", err)
	}
	out.VerifyURL, out.VerifyExpiresAt, out.VerifyIssued = u, exp, true
	return nil
}

// Unprovision removes what provisioning created in t's Carerix, clears
// the tenant's verification and revokes its verify link. With dryRun it
// only plans and records nothing.
func (r *Runner) Unprovision(ctx context.Context, t *recrubo.Tenant, dryRun bool) (*Plan, error) {
	started := r.now()
	plan, err := r.unprovisionSteps(ctx, t, dryRun)
	if dryRun {
		return plan, err
	}
	if recErr := r.Provisioner.Record(ctx, t, "unprovision", started, plan, err); recErr != nil && err == nil {
		err = recErr
	}
	return plan, err
}

// unprovisionSteps does the work of Unprovision.
func (r *Runner) unprovisionSteps(ctx context.Context, t *recrubo.Tenant, dryRun bool) (*Plan, error) {
	c, err := r.Connect(t)
	if err != nil {
		return nil, err
	}
	if err := CheckAccess(ctx, c); err != nil {
		return nil, err
	}
	plan, err := r.Provisioner.UnprovisionPlan(ctx, t, c)
	if err != nil || dryRun {
		return plan, err
	}
	if r.Links != nil {
		if err := r.Links.Revoke(ctx, t); err != nil {
			return plan, fmt.Errorf("revoking the verify link: %w", err)
		}
	}
	return plan, r.Provisioner.Unprovision(ctx, t, c, plan)
}

// JobArgs asks for a tenant to be provisioned in the background.
type JobArgs struct {
	TenantID string `json:"tenant_id"`
}

// Kind names the provisioning job.
func (JobArgs) Kind() string { return "provision" }

// HandleJob is the job handler: it provisions the tenant and records the
// run, failed or not (see LatestProvisionRun); only a tenant that cannot
// be loaded has no run to record. The job hands nobody a link, so it
// issues one only when the tenant has no valid link, and never revokes the
// link the admin holds; a retry or rerun keeps it too.
func (r *Runner) HandleJob(ctx context.Context, args JobArgs) error {
	t, err := r.Provisioner.Store.TenantByID(ctx, args.TenantID)
	if err != nil {
		return fmt.Errorf("loading tenant %s: %w", args.TenantID, err)
	}
	if _, err := r.provision(ctx, t, false, 0); err != nil {
		return fmt.Errorf("provisioning tenant %s: %w", t.Slug, err)
	}
	return nil
}
