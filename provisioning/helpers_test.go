package provisioning_test

import (
	"context"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/verify"
)

const (
	adminID     = "admin.apps.carerix.io"
	adminSecret = "admin-secret"
	publicURL   = "https://recrubo.example"
)

// fixture is one emulated Carerix tenant provisioned into a real store.
type fixture struct {
	emu    *carerixemu.Server
	db     *store.DB
	tenant *recrubo.Tenant
	links  *verify.Links
	runner *provisioning.Runner
}

// newFixture starts an emulator whose admin client has adminScopes (nil:
// all) and stores a tenant pointing at it.
func newFixture(t *testing.T, backend string, adminScopes []string) *fixture {
	return newFixtureOn(t, backend, carerixemu.ProfileDocs, adminScopes)
}

// newFixtureOn is newFixture against an emulator of profile p.
func newFixtureOn(t *testing.T, backend string, p carerixemu.Profile, adminScopes []string) *fixture {
	t.Helper()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: p, Clients: []carerixemu.Client{
		{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret},
		{ID: adminID, Secret: adminSecret, Scopes: adminScopes},
	}})
	db := storetest.NewEnv(t, backend).Open(t)
	tn := &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme Uitzendbureau", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{
			APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(), Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret),
		},
		Admin:    recrubo.AdminCredentials{ClientID: adminID, ClientSecret: recrubo.NewSecret(adminSecret)},
		Language: recrubo.LangDutch, TimeZone: recrubo.DefaultTimeZone,
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:   recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("signing-key-0123456789abcdef")},
	}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		t.Fatalf("creating tenant: %v", err)
	}
	links := &verify.Links{Store: db, PublicURL: publicURL}
	return &fixture{emu: emu, db: db, tenant: tn, links: links, runner: &provisioning.Runner{
		Provisioner: &provisioning.Provisioner{Store: db, PublicURL: publicURL},
		Connect:     provisioning.ConnectAdmin(fast),
		Links:       links,
	}}
}

// token returns the token of a verify link URL.
func token(t *testing.T, u string) string {
	t.Helper()
	tok, ok := strings.CutPrefix(u, publicURL+"/verify/")
	if !ok || tok == "" {
		t.Fatalf("%q is not a verify link", u)
	}
	return tok
}

// provision runs provisioning and fails the test on error.
func (f *fixture) provision(t *testing.T) *provisioning.Outcome {
	t.Helper()
	out, err := f.runner.Provision(t.Context(), f.tenant, false)
	if err != nil {
		t.Fatalf("provisioning: %v", err)
	}
	return out
}

// templatesByCode returns the emulator's live templates by code.
func (f *fixture) templatesByCode() map[string]carerixemu.TemplateReference {
	out := map[string]carerixemu.TemplateReference{}
	for _, tr := range f.emu.Templates() {
		if !tr.Deleted && tr.Code != nil {
			out[*tr.Code] = tr
		}
	}
	return out
}

// webhookCount counts the webhooks of every application in the emulator.
func (f *fixture) webhookCount(t *testing.T) (apps, hooks int) {
	t.Helper()
	for _, a := range f.emu.Webhooks().Applications(t.Context()) {
		apps++
		hs, err := f.emu.Webhooks().Webhooks(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		hooks += len(hs)
	}
	return apps, hooks
}

// probe returns the live activity recorded as the probe.
func (f *fixture) probe(t *testing.T) carerixemu.ToDo {
	t.Helper()
	id, err := provisioning.Probe(t.Context(), f.db, f.tenant.ID)
	if err != nil || id == "" {
		t.Fatalf("no probe recorded (%v)", err)
	}
	td, err := f.emu.ToDo(id)
	if err != nil {
		t.Fatalf("probe %s: %v", id, err)
	}
	return td
}

func str(s string) *string { return &s }

// fast lifts the client's politeness limit, which only slows tests down.
func fast(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 1000, 1000 }
