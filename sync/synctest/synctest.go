// Package synctest starts the sync stack for tests and benchmarks: a
// Carerix emulator whose webhooks deliver to a real HTTP server, a store
// (SQLite or PostgreSQL) with its read cache, the sync service and its
// job workers. It also compares a tenant's mirror with the emulator's
// in-scope records, field by field.
package synctest

import (
	"context"
	"sync"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/server/servertest"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// Fixed values of the test tenant.
const (
	Slug          = "acme"
	WebhookSecret = "hook-secret-0123456789"
)

// The statuses the test tenant syncs by default.
var (
	CandidateFilter = []string{"Actief", "Nieuw"}
	VacancyFilter   = []string{"Open"}
)

// Options tune New. The zero value seeds a small tenant and runs jobs.
type Options struct {
	// Seed is what the emulator is seeded with; zero seeds 150
	// candidates, 12 vacancies, 400 matches and 4 recruiters.
	Seed carerixemu.SeedOptions
	// Profile is the emulator's profile: the form of Carerix the stack
	// runs against (carerixemu.ProfileDocs when empty).
	Profile carerixemu.Profile
	// Emulator adjusts the emulator's options.
	Emulator func(*carerixemu.Options)
	// NoJobs leaves jobs unworked, so what a request stored stays as is.
	NoJobs bool
	// WebhookBodyLimit is the server's webhook body limit (default 256 KiB).
	WebhookBodyLimit int
	// Share makes this a second instance of another Env: the same
	// database, emulator and tenant, with its own store handle, cache,
	// service, workers and server.
	Share *Env
	// Sync adjusts the sync service's configuration.
	Sync func(*carerixsync.Config)
}

// Profiles lists the forms of Carerix end-to-end tests run against: as
// documented, and as code run on real tenants observed it.
func Profiles() []carerixemu.Profile {
	return []carerixemu.Profile{carerixemu.ProfileDocs, carerixemu.ProfileObserved}
}

// Env is a running sync stack.
type Env struct {
	Emu     *carerixemu.Server
	Store   *storetest.Env
	DB      *store.DB
	Cached  *store.Cached
	Service *carerixsync.Service
	Tenant  *recrubo.Tenant
	// URL is our server's base URL; WebhookURL the tenant's webhook endpoint.
	URL        string
	WebhookURL string
	// App is the emulator's webhook application (its key signs deliveries).
	App webhooks.Application
	// Client reads the emulator as the tenant's integration account.
	Client *carerix.Client
}

// New starts a stack on backend, stopped when tb ends.
func New(tb testing.TB, backend string, o Options) *Env {
	tb.Helper()
	e := &Env{}
	if o.Share != nil {
		e.Emu, e.Store, e.Tenant, e.App, e.Client = o.Share.Emu, o.Share.Store, o.Share.Tenant, o.Share.App, o.Share.Client
	} else {
		e.Store = storetest.NewEnv(tb, backend)
		eo := carerixemu.Options{Tenant: Slug, Profile: o.Profile}
		if o.Emulator != nil {
			o.Emulator(&eo)
		}
		e.Emu = carerixemu.StartTest(tb, eo)
		seed := o.Seed
		if seed == (carerixemu.SeedOptions{}) {
			seed = carerixemu.SeedOptions{Candidates: 150, Vacancies: 12, Matches: 400, Recruiters: 4, Seed: 7}
		}
		if _, err := e.Emu.Seed(tb.Context(), seed); err != nil {
			tb.Fatal(err)
		}
		client, err := carerix.New(clientConfig(e.Emu))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(client.CloseIdleConnections)
		e.Client = client
	}
	e.DB = e.Store.Open(tb)
	cached, err := store.NewCached(e.DB, store.CacheConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(cached.Close)
	e.Cached = cached

	cfg := carerixsync.Config{Store: e.DB, Reads: e.Cached, PageSize: 100,
		Connect: carerixsync.NewClientConnector(func(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 2000, 200 }, e.DB)}
	if o.Sync != nil {
		o.Sync(&cfg)
	}
	e.Service = carerixsync.New(cfg)
	e.serve(tb, o.WebhookBodyLimit)

	if o.Share == nil {
		e.createTenant(tb)
	}
	if !o.NoJobs {
		e.StartJobs(tb)
	}
	return e
}

func clientConfig(emu *carerixemu.Server) carerix.Config {
	return carerix.Config{
		APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(),
		ClientID: carerixemu.DefaultClientID, ClientSecret: carerixemu.DefaultClientSecret,
		RequestsPerSecond: 2000, Burst: 200,
	}
}

// serve starts our HTTP server with the Carerix webhook route.
func (e *Env) serve(tb testing.TB, limit int) {
	tb.Helper()
	e.URL = servertest.Start(tb, server.Deps{CarerixWebhooks: server.CarerixWebhookDeps{Ingester: e.Service}},
		servertest.Options{WebhookBodyLimit: limit})
	e.WebhookURL = e.URL + "/webhooks/carerix/" + Slug
}

// createTenant stores the test tenant with a webhook application in the
// emulator delivering to our server: signed, with the secret header.
func (e *Env) createTenant(tb testing.TB) {
	tb.Helper()
	ctx := tb.Context()
	app, err := e.Emu.Webhooks().CreateApplication(ctx, "Recrubo (acme)")
	if err != nil {
		tb.Fatal(err)
	}
	e.App = app
	header := []webhooks.Header{{Name: carerixsync.WebhookSecretHeader, Value: WebhookSecret}}
	for _, entities := range [][]string{{"cremployee", "crvacancy"}, {"crmatch", "cruser"}} {
		var filters []webhooks.Filter
		for _, en := range entities {
			for _, action := range []string{"created", "updated", "deleted"} {
				filters = append(filters, webhooks.Filter{EventType: en + ":" + action})
			}
		}
		if _, err := e.Emu.Webhooks().CreateWebhook(ctx, app.ID, webhooks.WebhookRequest{
			URL: e.WebhookURL, Filters: filters, CustomHeaders: header}); err != nil {
			tb.Fatal(err)
		}
	}
	t := &recrubo.Tenant{
		Slug: Slug, DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: e.Emu.URL(), IdentityBaseURL: e.Emu.URL(), Realm: e.Emu.Realm(),
			Application: Slug, ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("x")},
		Filters: recrubo.StatusFilters{CandidateStatuses: CandidateFilter, VacancyStatuses: VacancyFilter},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret(WebhookSecret), ApplicationID: app.ID, PublicKeyPEM: app.PublicKeyPEM},
	}
	t.Normalize()
	if err := e.DB.CreateTenant(ctx, t); err != nil {
		tb.Fatal(err)
	}
	e.Tenant = t
}

// StartJobs works the sync jobs of this instance until tb ends or stop
// is called.
func (e *Env) StartJobs(tb testing.TB) (stop func()) {
	tb.Helper()
	reg := jobs.NewRegistry()
	carerixsync.RegisterJobs(reg, e.Service)
	r, err := jobs.NewRunner(e.DB, reg, jobs.Config{PollInterval: 50 * time.Millisecond, Queues: map[string]int{"default": 8}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	tb.Cleanup(stop)
	return stop
}

// Idle waits until the emulator delivered every webhook and no event waits
// for processing.
func (e *Env) Idle(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), timeout)
	defer cancel()
	if err := e.Emu.Webhooks().WaitIdle(ctx); err != nil {
		tb.Fatal(err)
	}
	if !eventually.True(timeout, func() bool {
		st, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
		return err == nil && st.Unprocessed == 0
	}) {
		st, _ := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
		tb.Fatalf("events still unprocessed after %v: %+v", timeout, st)
	}
}
