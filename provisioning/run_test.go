package provisioning_test

import (
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestProvisionJob(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			for name, fn := range map[string]func(*testing.T, string){
				"SucceedsAndKeepsTheAdminsLink": testJobSucceeds,
				"IssuesALinkWhenNoneIsCurrent":  testJobIssuesLink,
				"MissingScopeIsRecorded":        testJobMissingScope,
				"ConnectFailureIsRecorded":      testJobConnectFailure,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, backend)
				})
			}
		})
	}
}

// job runs the provisioning job for the fixture's tenant.
func (f *fixture) job(t *testing.T) error {
	t.Helper()
	return f.runner.HandleJob(t.Context(), provisioning.JobArgs{TenantID: f.tenant.ID})
}

// latestRun returns the latest recorded run.
func (f *fixture) latestRun(t *testing.T) *recrubo.ProvisionRun {
	t.Helper()
	run, err := f.db.LatestProvisionRun(t.Context(), f.tenant.ID)
	if err != nil {
		t.Fatalf("latest provisioning run: %v", err)
	}
	return run
}

// testJobSucceeds: the job provisions and records the run; the link the
// admin already holds keeps working through the run and a retry.
func testJobSucceeds(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	held, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the run and a retry
		if err := f.job(t); err != nil {
			t.Fatalf("job run %d: %v", i+1, err)
		}
		run := f.latestRun(t)
		if run.Action != "provision" || run.State != recrubo.ProvisionSucceeded || run.Error != "" ||
			!strings.Contains(run.Summary, provisioning.CodeInbox) {
			t.Fatalf("run %d recorded as %+v", i+1, run)
		}
		if _, err := f.links.Check(t.Context(), held); err != nil {
			t.Fatalf("after job run %d the admin's link is refused: %v", i+1, err)
		}
	}
	if n := len(f.templatesByCode()); n != 4 {
		t.Errorf("%d templates installed by the job, want 4", n)
	}
}

// testJobIssuesLink: a tenant without a valid link gets one from the job.
func testJobIssuesLink(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	if err := f.job(t); err != nil {
		t.Fatal(err)
	}
	u, _, err := f.links.Current(t.Context(), f.tenant)
	if err != nil || u == "" {
		t.Fatalf("no current link after the job (%v)", err)
	}
	if _, err := f.links.Check(t.Context(), token(t, u)); err != nil {
		t.Fatalf("the job's link is refused: %v", err)
	}
}

// testJobMissingScope: the access check fails; the run is recorded as
// failed with the message naming the scope, and nothing is created.
func testJobMissingScope(t *testing.T, backend string) {
	var scopes []string
	for _, s := range carerixemu.AllScopes() {
		if !strings.Contains(s, "webhooks") {
			scopes = append(scopes, s)
		}
	}
	f := newFixture(t, backend, scopes)
	err := f.job(t)
	if recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Fatalf("job error = %v, want EFORBIDDEN", err)
	}
	run := f.latestRun(t)
	if run.Action != "provision" || run.State != recrubo.ProvisionFailed || run.Summary != "" ||
		!strings.Contains(run.Error, "lacks the scope") || !strings.Contains(run.Error, "urn:cx/webhooks:") {
		t.Fatalf("failed run recorded as %+v", run)
	}
	if run.StartedAt.IsZero() || run.FinishedAt.Before(run.StartedAt) {
		t.Errorf("run times %s – %s", run.StartedAt, run.FinishedAt)
	}
	if n := len(f.templatesByCode()); n != 0 {
		t.Errorf("%d templates created despite the failed access check", n)
	}
	if u, _, err := f.links.Current(t.Context(), f.tenant); err != nil || u != "" {
		t.Errorf("a failed job left a verify link %q (%v)", u, err)
	}
}

// testJobConnectFailure: the admin account settings cannot even make a
// client; the failed run says so.
func testJobConnectFailure(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	f.runner.Connect = provisioning.ConnectAdmin(func(c *carerix.Config) { c.Realm = "not a realm!" })
	err := f.job(t)
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("job error = %v, want EINVALID", err)
	}
	run := f.latestRun(t)
	if run.State != recrubo.ProvisionFailed || !strings.Contains(run.Error, "admin account settings of tenant acme are not usable") {
		t.Fatalf("failed run recorded as %+v", run)
	}
}
