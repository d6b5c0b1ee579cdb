package carerixsync_test

import (
	"context"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// The statuses the fixture tenant syncs.
var (
	candidateFilter = []string{"Actief", "Nieuw"}
	vacancyFilter   = []string{"Open"}
)

// backendAndProfile is one combination end-to-end tests run on.
type backendAndProfile struct {
	name    string
	backend string
	profile carerixemu.Profile
}

// backendsAndProfiles is every store backend with every form of Carerix.
func backendsAndProfiles() []backendAndProfile {
	var out []backendAndProfile
	for _, b := range storetest.Backends() {
		for _, p := range synctest.Profiles() {
			out = append(out, backendAndProfile{name: b + "/" + string(p), backend: b, profile: p})
		}
	}
	return out
}

type fixture struct {
	emu    *carerixemu.Server
	client *carerix.Client
	env    *storetest.Env
	db     *store.DB
	tenant *recrubo.Tenant
	svc    *carerixsync.Service
}

type fixtureOptions struct {
	seed    carerixemu.SeedOptions
	emu     carerixemu.Options
	connect func(carerixsync.Connector) carerixsync.Connector
}

func newFixture(t *testing.T, backend string) *fixture {
	return newFixtureWith(t, backend, fixtureOptions{})
}

func newFixtureWith(t *testing.T, backend string, o fixtureOptions) *fixture {
	t.Helper()
	if o.emu.Tenant == "" {
		o.emu.Tenant = "acme"
	}
	emu := carerixemu.StartTest(t, o.emu)
	if o.seed == (carerixemu.SeedOptions{}) {
		o.seed = carerixemu.SeedOptions{Candidates: 150, Vacancies: 12, Matches: 400, Recruiters: 4, Seed: 7}
	}
	if _, err := emu.Seed(t.Context(), o.seed); err != nil {
		t.Fatal(err)
	}
	client, err := carerix.New(carerix.Config{
		APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(),
		ClientID: carerixemu.DefaultClientID, ClientSecret: carerixemu.DefaultClientSecret, RequestsPerSecond: 1000, Burst: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	env := storetest.NewEnv(t, backend)
	db := env.Open(t)
	tn := &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(), Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("x")},
		Filters: recrubo.StatusFilters{CandidateStatuses: candidateFilter, VacancyStatuses: vacancyFilter},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("hook-secret")},
	}
	tn.Normalize()
	if err := db.CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	var connect carerixsync.Connector = func(context.Context, *recrubo.Tenant) (carerixsync.Reader, error) { return client, nil }
	if o.connect != nil {
		connect = o.connect(connect)
	}
	svc := carerixsync.New(carerixsync.Config{Store: db, Connect: connect, PageSize: 20})
	return &fixture{emu: emu, client: client, env: env, db: db, tenant: tn, svc: svc}
}

// checkMirror fails the test when the store's mirror differs from the
// emulator's in-scope set.
func (f *fixture) checkMirror(t *testing.T, ds recrubo.DataStore) {
	t.Helper()
	g, w := synctest.Read(t, ds, f.tenant.ID), f.want(t)
	if d := synctest.Diff(g, w); len(d) > 0 {
		t.Fatalf("mirror (%v) differs from Carerix's in-scope set (%v):\n  %s", g, w, strings.Join(d, "\n  "))
	}
}

func (f *fixture) want(t *testing.T) synctest.Mirror {
	return synctest.InScope(t, f.emu, f.tenant.Filters)
}
