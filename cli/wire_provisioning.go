package cli

import (
	"context"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/verify"
)

// wireProvisioning wires provisioning jobs and the verify page.
func wireProvisioning(s *services) error {
	runner := provisionRunner(s.db, s.cfg.PublicURL, initialSyncStarter(s.db))
	jobs.Handle(s.jobs, func(ctx context.Context, args provisioning.JobArgs) error {
		err := runner.HandleJob(ctx, args)
		switch recrubo.ErrorCode(err) {
		case recrubo.EINVALID, recrubo.EFORBIDDEN, recrubo.EUNAUTHORIZED, recrubo.ENOTFOUND:
			return jobs.Permanent(err) // retrying cannot help until someone acts
		}
		return err
	}, jobs.HandleOptions{})
	auth, err := s.embedAuthenticator()
	if err != nil {
		return err
	}
	s.server.Verify.Links = runner.Links.(*verify.Links)
	s.server.Verify.Checks = &verify.Runs{Checker: newChecker(s.db, runner), Store: s.db}
	s.server.Verify.Auth = verifyAuth{auth}
	s.server.Verify.Progress = func(ctx context.Context, tenantID string) (*carerixsync.SyncProgress, error) {
		return carerixsync.Progress(ctx, s.db, tenantID) // not cached: progress moves with every page
	}
	s.server.Verify.Admins = &verify.Roles{Connect: func(t *recrubo.Tenant) (verify.RoleReader, error) {
		return carerix.New(carerix.TenantConfig(t))
	}}
	return nil
}

// verifyDeliveryWait bounds how long the verify page waits for the webhook
// delivery its webhooks check causes.
const verifyDeliveryWait = 15 * time.Second

// newChecker builds the verify checklist on db.
func newChecker(db *store.DB, runner *provisioning.Runner) *verify.Checker {
	return &verify.Checker{
		Store:        db,
		Provisioner:  runner.Provisioner,
		ConnectAdmin: runner.Connect,
		ConnectReader: func(t *recrubo.Tenant) (verify.Reader, error) {
			return carerix.New(carerix.TenantConfig(t))
		},
		// The webhooks check updates the probe activity and waits this
		// long for Carerix to deliver the change.
		DeliveryWait: verifyDeliveryWait,
		SampleLink:   carerixRecordLink,
	}
}

// carerixRecordLink is where an admin opens a candidate: the tenant's
// Carerix application (its first frame origin).
func carerixRecordLink(t *recrubo.Tenant, candidateID string) string {
	if len(t.FrameOrigins) == 0 {
		return ""
	}
	return strings.TrimSuffix(t.FrameOrigins[0], "/") + "/?employee=" + candidateID
}

// initialSyncStarter is how provisioning starts the initial sync: as a
// durable job on db, which the service's workers run.
func initialSyncStarter(db *store.DB) provisioning.SyncStarter { return syncStarter{db} }

// syncStarter adapts carerixsync.StartInitial to provisioning.SyncStarter.
type syncStarter struct{ db *store.DB }

// StartInitial enqueues the tenant's initial sync unless one ran or runs.
func (s syncStarter) StartInitial(ctx context.Context, tenantID string) (string, bool, error) {
	return carerixsync.StartInitial(ctx, s.db, tenantID)
}

// verifyAuth checks the proof of the admin-only verify page. The proof has
// the shape of the overall dashboard's (no record), so it is checked as
// such and then reported as the verify page.
type verifyAuth struct{ recrubo.EmbedAuthenticator }

// Authenticate checks p as a record-less embed proof.
func (a verifyAuth) Authenticate(ctx context.Context, p recrubo.EmbedProof) (*recrubo.EmbedViewer, error) {
	if p.Kind != recrubo.EmbedVerify || p.RecordID != "" || p.RecordHash != "" {
		return nil, recrubo.Errorf(recrubo.EFORBIDDEN, "Forbidden.")
	}
	p.Kind = recrubo.EmbedDashboard
	v, err := a.EmbedAuthenticator.Authenticate(ctx, p)
	if err != nil {
		return nil, err
	}
	v.Kind = recrubo.EmbedVerify
	return v, nil
}
