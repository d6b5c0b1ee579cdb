package verify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/verify"
)

// roundTripWait bounds the wait for a delivery in tests where it should
// arrive; the emulator delivers within milliseconds.
const roundTripWait = 20 * time.Second

func fast(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 1000, 1000 }

// hookFixture is a tenant provisioned on the Carerix emulator whose
// webhooks reach the real ingest path (signature and secret checked,
// event stored) over HTTP.
type hookFixture struct {
	emu    *carerixemu.Server
	db     *store.DB
	sync   *carerixsync.Service
	tenant *recrubo.Tenant
	prov   *provisioning.Provisioner
}

func newHookFixture(t *testing.T, backend string) *hookFixture {
	t.Helper()
	ctx := t.Context()
	f := &hookFixture{emu: carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Clients: []carerixemu.Client{
		{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret},
		{ID: noProbeClientID, Secret: noProbeClientSecret, Scopes: noProbeScopes()},
	}}), db: storetest.NewEnv(t, backend).Open(t)}
	f.sync = carerixsync.New(carerixsync.Config{Store: f.db, Connect: carerixsync.NewClientConnector(fast, f.db)})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		slug := strings.TrimPrefix(r.URL.Path, "/webhooks/carerix/")
		if _, err := f.sync.IngestCarerix(r.Context(), slug, r.Header.Get, body); err != nil {
			http.Error(w, recrubo.ErrorMessage(err), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	f.tenant = &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme Uitzend", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: f.emu.URL(), IdentityBaseURL: f.emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:    recrubo.AdminCredentials{ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789abcdef")},
		Language: "nl", TimeZone: "Europe/Amsterdam",
	}
	if err := f.db.CreateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	f.prov = &provisioning.Provisioner{Store: f.db, PublicURL: recv.URL}
	runner := &provisioning.Runner{Provisioner: f.prov, Connect: provisioning.ConnectAdmin(fast)}
	if _, err := runner.Provision(ctx, f.tenant, false); err != nil {
		t.Fatalf("provisioning: %v", err)
	}
	f.idle(t)
	return f
}

// idle waits until the emulator has no webhook delivery in flight.
func (f *hookFixture) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := f.emu.Webhooks().WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// An admin client that may read activities but not change them, so the
// webhooks check cannot update the probe.
const (
	noProbeClientID     = "no-probe.apps.carerix.io"
	noProbeClientSecret = "no-probe-secret"
)

// noProbeScopes are every scope except those that let a client change
// activities.
func noProbeScopes() []string {
	var out []string
	for _, s := range carerixemu.AllScopes() {
		if s != carerixemu.ScopeCx5Manage && s != carerixemu.ScopeGraphQLManage && s != carerixemu.EntityScope("crtodo", "manage") {
			out = append(out, s)
		}
	}
	return out
}

// check runs the checklist with wait on the clock now (nil: time.Now).
func (f *hookFixture) check(t *testing.T, wait time.Duration, now func() time.Time) *verify.Result {
	t.Helper()
	c := &verify.Checker{Store: f.db, Provisioner: f.prov, ConnectAdmin: provisioning.ConnectAdmin(fast),
		ConnectReader: func(t *recrubo.Tenant) (verify.Reader, error) {
			cfg := carerix.TenantConfig(t)
			fast(&cfg)
			return carerix.New(cfg)
		},
		DeliveryWait: wait, Now: now}
	res, err := c.Run(t.Context(), f.tenant, "test")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// item returns the check id of res.
func item(t *testing.T, res *verify.Result, id string) verify.Item {
	t.Helper()
	it, ok := res.Item(id)
	if !ok {
		t.Fatalf("no %s item", id)
	}
	return it
}

// webhooks runs the checklist with wait and returns its webhooks item.
func (f *hookFixture) webhooks(t *testing.T, wait time.Duration) verify.Item {
	t.Helper()
	return item(t, f.check(t, wait, nil), verify.CheckWebhooks)
}

func (f *hookFixture) probe(t *testing.T) carerixemu.ToDo {
	t.Helper()
	id, err := provisioning.Probe(t.Context(), f.db, f.tenant.ID)
	if err != nil || id == "" {
		t.Fatalf("no probe recorded (%v)", err)
	}
	td, err := f.emu.ToDo(id)
	if err != nil {
		t.Fatal(err)
	}
	return td
}

// events counts the stored Carerix events.
func (f *hookFixture) events(t *testing.T) int64 {
	t.Helper()
	n, err := f.db.CountEvents(t.Context(), f.tenant.ID, recrubo.SourceCarerix)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// hook returns our webhook subscribed to entity.
func (f *hookFixture) hook(t *testing.T, entity string) (appID, id string) {
	t.Helper()
	items, err := f.db.ProvisionedItems(t.Context(), f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind == recrubo.ProvisionWebhook && it.Key == entity {
			return it.ParentID, it.RemoteID
		}
	}
	t.Fatalf("no %s webhook recorded", entity)
	return "", ""
}

func TestWebhooksCheck(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			for name, fn := range map[string]func(*testing.T, string){
				"QuietTenantPassesByRoundTrip": testQuietTenantPasses,
				"ProbeWebhookDisabled":         testProbeWebhookDisabled,
				"DeliveryLostIsNoDelivery":     testDeliveryLost,
				"ProbeDeletedInCarerix":        testProbeDeleted,
				"OlderInstallFallsBack":        testOlderInstall,
				"OtherDeliveryDuringTheWait":   testOtherDeliveryCounts,
				"ProbeNotUpdatableNeedsRecent": testProbeNotUpdatable,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, backend)
				})
			}
		})
	}
}

// testQuietTenantPasses: nobody changes a record, yet the check passes,
// because it causes its own delivery.
func testQuietTenantPasses(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	if n := f.events(t); n != 0 {
		t.Fatalf("%d events before the check; the tenant should be quiet", n)
	}
	// Without a round trip a quiet tenant cannot pass.
	if it := f.webhooks(t, 0); it.OK || it.Reason != "no_delivery" {
		t.Fatalf("check without a wait = %+v, want no_delivery", it)
	}
	before := f.probe(t)
	employees := f.emu.Employees()
	it := f.webhooks(t, roundTripWait)
	if !it.OK || it.Reason != "round_trip" || len(it.Args) != 1 {
		t.Fatalf("webhooks item = %+v, want a passing round trip", it)
	}
	after := f.probe(t)
	if after.Notes == nil || !strings.Contains(*after.Notes, "Last check") || after.ModificationDate.Before(before.ModificationDate) ||
		(before.Notes != nil && *after.Notes == *before.Notes) {
		t.Errorf("probe notes not refreshed: %v", after.Notes)
	}
	if got := f.emu.Employees(); len(got) != len(employees) {
		t.Errorf("the check changed candidates")
	}
	evs, err := f.db.EventsOfType(t.Context(), f.tenant.ID, recrubo.SourceCarerix, provisioning.ProbeEventType, time.Time{}, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("stored probe events = %d (%v), want 1", len(evs), err)
	}
	// Sync treats the probe's event as harmless.
	outcome, err := f.sync.ProcessEvent(t.Context(), evs[0])
	if err != nil || outcome != "ignored" {
		t.Errorf("processing the probe event = %q, %v; want ignored", outcome, err)
	}
	// Each run makes a new round trip and waits for its own delivery.
	if it := f.webhooks(t, roundTripWait); !it.OK {
		t.Fatalf("second check = %+v", it)
	}
	f.idle(t)
	if evs, _ := f.db.EventsOfType(t.Context(), f.tenant.ID, recrubo.SourceCarerix, provisioning.ProbeEventType, time.Time{}, 10); len(evs) != 2 {
		t.Errorf("%d probe events after two checks, want 2", len(evs))
	}
}

func testProbeWebhookDisabled(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	app, id := f.hook(t, provisioning.ProbeEntity)
	if err := f.emu.Webhooks().SetWebhookStatus(t.Context(), app, id, "disabled"); err != nil {
		t.Fatal(err)
	}
	before := f.probe(t)
	it := f.webhooks(t, roundTripWait)
	if it.OK || it.Reason != "disabled" || len(it.Args) != 1 || it.Args[0] != provisioning.ProbeEntity {
		t.Fatalf("webhooks item = %+v, want disabled crtodo", it)
	}
	if after := f.probe(t); *after.Notes != *before.Notes {
		t.Error("the probe was updated although its webhook is off")
	}
}

// testOtherDeliveryCounts: when the probe's own delivery does not come
// (a Carerix that sends no activity webhooks), any verified delivery
// received after the probe was touched proves the path.
func testOtherDeliveryCounts(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	f.emu.Webhooks().DropNext(1) // the probe's delivery
	before := f.probe(t)
	probeID, _ := provisioning.Probe(t.Context(), f.db, f.tenant.ID)
	changed := make(chan error, 1)
	go func() {
		// Once the check has touched the probe, a recruiter adds a candidate.
		for range 500 {
			if td, err := f.emu.ToDo(probeID); err == nil && *td.Notes != *before.Notes {
				_, err := f.emu.CreateEmployee(context.Background(), carerixemu.EmployeeFields{FirstName: carerixemu.Str("Fleur")})
				changed <- err
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		changed <- errors.New("the check never touched the probe")
	}()
	it := f.webhooks(t, 20*time.Second)
	if err := <-changed; err != nil {
		t.Fatal(err)
	}
	if !it.OK || it.Reason != "ok" {
		t.Fatalf("webhooks item = %+v, want ok by the candidate's delivery", it)
	}
}

// testDeliveryLost: the webhook is on but the delivery never arrives.
func testDeliveryLost(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	f.emu.Webhooks().DropNext(1)
	start := time.Now()
	it := f.webhooks(t, time.Second)
	if it.OK || it.Reason != "no_delivery" {
		t.Fatalf("webhooks item = %+v, want no_delivery", it)
	}
	if time.Since(start) < time.Second {
		t.Errorf("the check gave up after %v, before DeliveryWait", time.Since(start))
	}
	if n := f.events(t); n != 0 {
		t.Errorf("%d events stored although the delivery was dropped", n)
	}
	// The next check makes a fresh round trip, which arrives.
	if it := f.webhooks(t, roundTripWait); !it.OK {
		t.Fatalf("check after the lost delivery = %+v", it)
	}
}

func testProbeDeleted(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	if err := f.emu.DeleteToDo(t.Context(), f.probe(t).ID); err != nil {
		t.Fatal(err)
	}
	if it := f.webhooks(t, roundTripWait); it.OK || it.Reason != "probe_missing" {
		t.Fatalf("webhooks item = %+v, want probe_missing", it)
	}
}

// testOlderInstall: an install from before the probe (no probe, no crtodo
// webhook) is checked as before: any delivery since installation.
func testOlderInstall(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	ctx := t.Context()
	app, id := f.hook(t, provisioning.ProbeEntity)
	if err := f.emu.Webhooks().DeleteWebhook(ctx, app, id); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		kind recrubo.ProvisionKind
		key  string
	}{{recrubo.ProvisionWebhook, provisioning.ProbeEntity}, {recrubo.ProvisionProbe, provisioning.ProbeKey}} {
		if err := f.db.DeleteProvisionedItem(ctx, f.tenant.ID, k.kind, k.key); err != nil {
			t.Fatal(err)
		}
	}
	if it := f.webhooks(t, time.Second); it.OK || it.Reason != "no_delivery" {
		t.Fatalf("quiet older install = %+v, want no_delivery", it)
	}
	if _, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne")}); err != nil {
		t.Fatal(err)
	}
	f.idle(t)
	if it := f.webhooks(t, time.Second); !it.OK || it.Reason != "ok" {
		t.Fatalf("older install after a candidate change = %+v, want ok", it)
	}
	// Two hours on, that delivery no longer proves anything.
	later := func() time.Time { return time.Now().Add(verify.DefaultRecentDelivery + time.Hour) }
	if it := item(t, f.check(t, time.Second, later), verify.CheckWebhooks); it.OK || it.Reason != "no_delivery" {
		t.Fatalf("older install with an old delivery = %+v, want no_delivery", it)
	}
}

// testProbeNotUpdatable: the admin account may no longer change the probe
// activity. The check falls back to deliveries Carerix sent anyway, but
// only a recent one passes, and the credentials item names the scope to
// grant, so the tenant is not marked verified.
func testProbeNotUpdatable(t *testing.T, backend string) {
	f := newHookFixture(t, backend)
	if _, err := f.emu.CreateEmployee(t.Context(), carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne")}); err != nil {
		t.Fatal(err)
	}
	f.idle(t)
	if n := f.events(t); n == 0 {
		t.Fatal("the candidate's delivery was not stored")
	}
	before := f.probe(t)
	f.tenant.Admin = recrubo.AdminCredentials{ClientID: noProbeClientID, ClientSecret: recrubo.NewSecret(noProbeClientSecret)}
	wantScope := func(res *verify.Result) {
		t.Helper()
		cred := item(t, res, verify.CheckCredentials)
		if cred.OK || cred.Reason != "scope_admin" || len(cred.Args) != 1 ||
			!strings.Contains(cred.Args[0], carerixemu.EntityScope("crtodo", "manage")) {
			t.Errorf("credentials item = %+v, want the missing activity scope", cred)
		}
		if res.Verified || res.OK() {
			t.Error("the tenant was verified although the admin account cannot update the probe")
		}
	}

	// Three weeks later the candidate's delivery is old news.
	later := func() time.Time { return time.Now().Add(21 * 24 * time.Hour) }
	res := f.check(t, time.Second, later)
	if it := item(t, res, verify.CheckWebhooks); it.OK || it.Reason != "no_delivery" {
		t.Fatalf("webhooks item with a three-week-old delivery = %+v, want no_delivery", it)
	}
	wantScope(res)

	// Right after the delivery it proves the path.
	res = f.check(t, time.Second, nil)
	if it := item(t, res, verify.CheckWebhooks); !it.OK || it.Reason != "ok" {
		t.Fatalf("webhooks item with a fresh delivery = %+v, want ok", it)
	}
	wantScope(res)
	if after := f.probe(t); !after.ModificationDate.Equal(before.ModificationDate) {
		t.Error("the probe changed although the admin account may not change it")
	}
	stored, err := f.db.TenantByID(t.Context(), f.tenant.ID)
	if err != nil || !stored.VerifiedAt.IsZero() {
		t.Errorf("stored tenant verified at %v (%v)", stored.VerifiedAt, err)
	}
}
