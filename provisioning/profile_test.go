package provisioning_test

import (
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestProvisioningOnEachProfile provisions the documented and the
// observed Carerix. Where the API gives stableHash the templates write
// the URL proof (the record's and the user's hashes; the page key on
// tenant-wide pages); where it gives none they write the user's id only
// and the pages sign their viewer in, which needs the tenant's sign-in
// client: without one, provisioning refuses and installs nothing.
func TestProvisioningOnEachProfile(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend+"/docs", func(t *testing.T) {
			f := newFixtureOn(t, backend, carerixemu.ProfileDocs, nil)
			out := f.provision(t)
			if out.Contract == nil || !out.Contract.HasStableHash() {
				t.Fatalf("contract %+v: want stableHash", out.Contract)
			}
			tpls := f.templatesByCode()
			if c := *tpls[provisioning.CodeInbox].Content; !strings.Contains(c, "rh=${activity.toEmployee.stableHash.urlEncoded}") ||
				!strings.Contains(c, "uh=${activity.owner.stableHash.urlEncoded}") {
				t.Errorf("inbox template without the URL proof:\n%s", c)
			}
			if c := *tpls[provisioning.CodeDashboard].Content; !strings.Contains(c, "uh=") || !strings.Contains(c, "dk=") {
				t.Errorf("dashboard template without the user proof and page key:\n%s", c)
			}
		})
		t.Run(backend+"/observed without a sign-in client", func(t *testing.T) {
			f := newFixtureOn(t, backend, carerixemu.ProfileObserved, nil)
			_, err := f.runner.Provision(t.Context(), f.tenant, false)
			if recrubo.ErrorCode(err) != recrubo.EINVALID || !strings.Contains(recrubo.ErrorMessage(err), "signin_client_id") ||
				!strings.Contains(recrubo.ErrorMessage(err), "no stableHash") {
				t.Fatalf("err = %v, want EINVALID saying why and what to set", err)
			}
			if n := len(f.templatesByCode()); n != 0 {
				t.Errorf("%d templates installed although provisioning refused", n)
			}
			if apps, _ := f.webhookCount(t); apps != 0 {
				t.Errorf("%d webhook applications made although provisioning refused", apps)
			}
		})
		t.Run(backend+"/observed", func(t *testing.T) {
			f := newFixtureOn(t, backend, carerixemu.ProfileObserved, nil)
			f.tenant.Embed.SignInClientID = carerixemu.DefaultPublicClientID
			if err := f.db.UpdateTenant(t.Context(), f.tenant); err != nil {
				t.Fatal(err)
			}
			out := f.provision(t)
			if got := out.Plan.Count(provisioning.Create); got != 4+1+1+4 {
				t.Fatalf("fresh install created %d items, want 10:\n%s", got, out.Plan)
			}
			for code, tr := range f.templatesByCode() {
				c := *tr.Content
				if strings.Contains(c, "stableHash") || strings.Contains(c, "dk=") || !strings.Contains(c, "u=${activity.owner.userID.urlEncoded}") {
					t.Errorf("template %s writes a proof the tenant cannot check, or no user hint:\n%s", code, c)
				}
			}
			// The activity is written under the observed names.
			if td := f.probe(t); td.Subject == nil || *td.Subject != provisioning.ProbeSubject {
				t.Errorf("probe activity = %+v", td)
			}
			// Deliveries are signed with the tenant-wide key, which
			// provisioning read from /webhooks/v1/signature-key.
			tn, err := f.db.TenantByID(t.Context(), f.tenant.ID)
			if err != nil || !strings.Contains(tn.Webhook.PublicKeyPEM, "PUBLIC KEY") {
				t.Errorf("webhook key on the tenant = %q %v", tn.Webhook.PublicKeyPEM, err)
			}
			// A rerun changes nothing.
			if again := f.provision(t); again.Plan.Changes() != 0 {
				t.Errorf("rerun changes %d:\n%s", again.Plan.Changes(), again.Plan)
			}
		})
	}
}
