package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/verify"
)

// verifyFixture is a provisioned tenant on the Carerix emulator, our
// server behind a public URL, and a webhook receiver that verifies and
// records deliveries the way the webhook endpoint does.
type verifyFixture struct {
	emu     *carerixemu.Server
	db      *store.DB
	tenant  *recrubo.Tenant
	links   *verify.Links
	public  string
	admin   carerixemu.User
	plain   carerixemu.User
	cand    carerixemu.Employee
	syncRun *recrubo.SyncRun
}

func verifyFast(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 1000, 1000 }

func newVerifyFixture(t *testing.T, backend string) *verifyFixture {
	t.Helper()
	return newVerifyFixtureGap(t, backend, time.Millisecond)
}

// newVerifyFixtureGap is newVerifyFixture with runs of the checks
// throttled to one per gap.
func newVerifyFixtureGap(t *testing.T, backend string, gap time.Duration) *verifyFixture {
	t.Helper()
	return newVerifyFixtureOn(t, backend, gap, carerixemu.ProfileDocs, 0)
}

// newVerifyFixtureOn is newVerifyFixtureGap against an emulator of
// profile p (a tenant that needs sign-in gets the realm's client), whose
// webhooks check waits up to deliveryWait for its own round trip (zero:
// none, a recent delivery counts).
func newVerifyFixtureOn(t *testing.T, backend string, gap time.Duration, p carerixemu.Profile, deliveryWait time.Duration) *verifyFixture {
	t.Helper()
	ctx := t.Context()
	f := &verifyFixture{}
	f.emu = carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: p})
	f.db = storetest.NewEnv(t, backend).Open(t)
	var err error
	if f.admin, err = f.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("beheer"), FirstName: carerixemu.Str("Bea"),
		LastName: carerixemu.Str("Beheer"), Roles: []string{carerixemu.RoleAdministrator}}); err != nil {
		t.Fatal(err)
	}
	if f.plain, err = f.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("rik"), FirstName: carerixemu.Str("Rik"),
		Roles: []string{carerixemu.RoleRecruiter}}); err != nil {
		t.Fatal(err)
	}
	if f.cand, err = f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastName: carerixemu.Str("Dijk"),
		MobileNumber: carerixemu.Str("06-12345678"), Status: carerixemu.Str("Actief")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Uit"), LastName: carerixemu.Str("Filter")}); err != nil {
		t.Fatal(err)
	}

	// Our server, reached through one public URL that also carries the
	// webhook receiver.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	recv := &verifyReceiver{t: t, f: f}
	front := httptest.NewUnstartedServer(nil)
	f.public = "http://" + front.Listener.Addr().String()
	f.links = &verify.Links{Store: f.db, PublicURL: f.public}

	emuURL, _ := url.Parse(f.emu.URL())
	f.tenant = &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme Uitzend", FrameOrigins: []string{"http://" + emuURL.Host},
		Carerix: recrubo.CarerixSettings{APIBaseURL: f.emu.URL(), IdentityBaseURL: f.emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Filters: recrubo.StatusFilters{CandidateStatuses: []string{"Actief"}},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789abcdef"),
			SignInClientID: carerixemu.DefaultPublicClientID},
		Language: "nl", TimeZone: "Europe/Amsterdam",
	}
	if err := f.db.CreateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	prov := &provisioning.Provisioner{Store: f.db, PublicURL: f.public}
	connect := provisioning.ConnectAdmin(verifyFast)
	runner := &provisioning.Runner{Provisioner: prov, Connect: connect, Links: f.links}

	tpl, cat, assets, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := embed.New(embed.Config{Mirror: f.db, Fetcher: &embed.CarerixFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	reader := func(t *recrubo.Tenant) (*carerix.Client, error) {
		cfg := carerix.TenantConfig(t)
		verifyFast(&cfg)
		return carerix.New(cfg)
	}
	checker := &verify.Checker{Store: f.db, Provisioner: prov, ConnectAdmin: connect, DeliveryWait: deliveryWait,
		ConnectReader: func(t *recrubo.Tenant) (verify.Reader, error) { return reader(t) },
		SampleLink: func(t *recrubo.Tenant, id string) string {
			return f.emu.URL() + "/record/candidate/" + url.PathEscape(id) + "?user=" + url.QueryEscape(f.admin.ID)
		}}
	srv, err := New(Config{ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second, BodyLimit: 1 << 20},
		Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Templates: tpl, Catalog: cat, Assets: assets,
			Verify: VerifyDeps{Links: f.links, Checks: &verify.Runs{Checker: checker, Store: f.db, MinGap: gap}, Auth: verifyEmbedAuth{auth},
				Admins: &verify.Roles{Connect: func(t *recrubo.Tenant) (verify.RoleReader, error) { return reader(t) }},
				Progress: func(ctx context.Context, id string) (*carerixsync.SyncProgress, error) {
					return carerixsync.Progress(ctx, f.db, id)
				}}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	backendURL, _ := url.Parse("http://" + ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("/webhooks/carerix/", recv)
	mux.Handle("/", httputil.NewSingleHostReverseProxy(backendURL))
	front.Config.Handler = mux
	front.Start()
	t.Cleanup(front.Close)

	if _, err := runner.Provision(ctx, f.tenant, false); err != nil {
		t.Fatalf("provisioning: %v", err)
	}
	// The initial sync, for real.
	f.syncRun = &recrubo.SyncRun{TenantID: f.tenant.ID, Kind: recrubo.SyncInitial, State: recrubo.RunRunning}
	if err := f.db.CreateSyncRun(ctx, f.syncRun); err != nil {
		t.Fatal(err)
	}
	rc, err := reader(f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&carerixsync.Syncer{Store: f.db}).RunInitial(ctx, f.tenant, rc, f.syncRun.ID); err != nil {
		t.Fatalf("initial sync: %v", err)
	}
	f.syncRun.State = recrubo.RunSucceeded
	if err := f.db.UpdateSyncRun(ctx, f.syncRun); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: f.tenant.ID, ID: f.admin.ID, UserName: f.admin.UserName,
		FirstName: "Bea", LastName: "Beheer", Active: true, ModifiedAt: f.admin.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver makes a real change in Carerix and waits until its webhook
// deliveries are done.
func (f *verifyFixture) deliver(t *testing.T) {
	t.Helper()
	if _, err := f.emu.UpdateEmployee(t.Context(), f.cand.ID, carerixemu.EmployeeFields{PhoneNumber: carerixemu.Str("020-1234567")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := f.emu.Webhooks().WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// verifyReceiver checks and records Carerix deliveries: the secret
// header, the signature against the key provisioning stored, then the
// event into the EventStore.
type verifyReceiver struct {
	t *testing.T
	f *verifyFixture
}

func (r *verifyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	body, _ := io.ReadAll(req.Body)
	tn, err := r.f.db.TenantBySlug(ctx, strings.TrimPrefix(req.URL.Path, "/webhooks/carerix/"))
	if err != nil || req.Header.Get(provisioning.WebhookSecretHeader) != tn.Webhook.Secret.Reveal() {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if err := carerix.VerifySignature(tn.Webhook.PublicKeyPEM, body, req.Header.Get("Cx-Signature")); err != nil {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	ev, err := carerix.ParseWebhookEvent(body)
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if _, err := r.f.db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix, ID: ev.ID, Type: ev.Type, Payload: body}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// verifyEmbedAuth checks the verify page's proof as the record-less
// dashboard proof it resembles (as the service wires it).
type verifyEmbedAuth struct{ recrubo.EmbedAuthenticator }

func (a verifyEmbedAuth) Authenticate(ctx context.Context, p recrubo.EmbedProof) (*recrubo.EmbedViewer, error) {
	p.Kind = recrubo.EmbedDashboard
	v, err := a.EmbedAuthenticator.Authenticate(ctx, p)
	if err == nil {
		v.Kind = recrubo.EmbedVerify
	}
	return v, err
}

// get fetches path from the public URL.
func (f *verifyFixture) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return f.do(t, http.MethodGet, path, header...)
}

// post posts the page's button's form to path (run=1; its session field
// empty, as after a URL proof).
func (f *verifyFixture) post(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return f.doBody(t, http.MethodPost, path, "run=1&session=", append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

func (f *verifyFixture) do(t *testing.T, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return f.doBody(t, method, path, "", header...)
}

func (f *verifyFixture) doBody(t *testing.T, method, path, body string, header ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.public+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// checklist runs the checks through a fresh verify link (the page's
// button) and returns the item states by id.
func (f *verifyFixture) checklist(t *testing.T, lang string) (map[string]string, *goquery.Document, *http.Response) {
	t.Helper()
	link, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := f.post(t, "/verify/"+link+"?lang="+lang)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("verify page: %d %s", resp.StatusCode, body)
	}
	return checklistStates(t, body), mustDoc(t, body), resp
}

func checklistStates(t *testing.T, body string) map[string]string {
	t.Helper()
	doc := mustDoc(t, body)
	out := map[string]string{}
	doc.Find("li.verify-item").Each(func(_ int, s *goquery.Selection) {
		out[s.AttrOr("data-check", "")] = s.AttrOr("data-state", "")
	})
	if len(out) != 7 {
		t.Fatalf("checklist has %d items: %v", len(out), out)
	}
	return out
}

func mustDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func (f *verifyFixture) verifiedAt(t *testing.T) time.Time {
	t.Helper()
	tn, err := f.db.TenantByID(t.Context(), f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tn.VerifiedAt
}

func onlyFailing(t *testing.T, states map[string]string, want string) {
	t.Helper()
	for id, st := range states {
		if (st == "fail") != (id == want) {
			t.Errorf("check %s is %s; only %s should fail (%v)", id, st, want, states)
		}
	}
}

func TestVerifyPage(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			for name, fn := range map[string]func(*testing.T, string){
				"HealthyTenantPassesAndIsVerified": testVerifyHealthy,
				"WebhooksDisabled":                 testVerifyWebhooksDisabled,
				"TemplateDeleted":                  testVerifyTemplateDeleted,
				"SyncUnfinished":                   testVerifySyncUnfinished,
				"NoDeliveryYet":                    testVerifyNoDelivery,
				"BadTokensGet403WithoutDetail":     testVerifyBadTokens,
				"SyncProgressAsJSON":               testVerifySyncProgress,
				"EmbedRouteAdminsOnly":             testVerifyEmbed,
				"OpeningTheLinkIsReadOnly":         testVerifyGetIsReadOnly,
				"RunsAreThrottled":                 testVerifyThrottled,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, backend)
				})
			}
		})
	}
}

// TestVerifyOnTheObservedCarerix: the verify link of a tenant whose
// Carerix answers as code run on real tenants saw it (no stableHash,
// other field names, composite match ids, CRTodo events, a tenant-wide
// signing key) passes every check; the contract row says what the missing
// stableHash switches off.
func TestVerifyOnTheObservedCarerix(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newVerifyFixtureOn(t, backend, time.Millisecond, carerixemu.ProfileObserved, 10*time.Second)
			f.deliver(t)
			states, doc, _ := f.checklist(t, "en")
			onlyFailing(t, states, "")
			if f.verifiedAt(t).IsZero() {
				t.Error("a passing checklist did not mark the tenant verified")
			}
			contract := doc.Find(`li[data-check="contract"] .verify-status`).Text()
			if !strings.Contains(contract, "sign-in through Carerix") {
				t.Errorf("contract line = %q, want what the missing stableHash switches off", contract)
			}
			hooks := doc.Find(`li[data-check="webhooks"] .verify-status`).Text()
			if !strings.Contains(hooks, "integration check activity") {
				t.Errorf("webhooks line = %q, want the activity's round trip", hooks)
			}
		})
	}
}

func testVerifyHealthy(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	states, doc, resp := f.checklist(t, "en")
	onlyFailing(t, states, "")
	if got := doc.Find(".verify").AttrOr("data-verified", ""); got != "true" {
		t.Errorf("data-verified = %q", got)
	}
	if f.verifiedAt(t).IsZero() {
		t.Error("a passing checklist did not mark the tenant verified")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("verify link page is frameable: %s", csp)
	}
	// The delivery's time reads as a date in the tenant's zone, not a
	// machine timestamp.
	hooks := doc.Find(`li[data-check="webhooks"] .verify-status`).Text()
	if regexp.MustCompile(`\d{4}-\d\d-\d\dT`).MatchString(hooks) ||
		!regexp.MustCompile(`\d{4} at \d\d:\d\d`).MatchString(hooks) {
		t.Errorf("webhooks line = %q, want a readable date and time", hooks)
	}
	sync := doc.Find(`li[data-check="sync"] .verify-status`).Text()
	if !strings.Contains(sync, "1 candidates synced of 1 in Carerix") {
		t.Errorf("sync line = %q", sync)
	}
	href := doc.Find(`li[data-check="sample"] a`).AttrOr("href", "")
	if !strings.HasPrefix(href, f.emu.URL()+"/record/candidate/"+f.cand.ID) {
		t.Errorf("sample link = %q", href)
	}
	// The sample link opens the candidate with our inbox template.
	resp2, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if !strings.Contains(string(page), `src="`+f.public+`/embed/acme/candidate/`+f.cand.ID+`?rh=`) {
		t.Errorf("record page does not frame our inbox:\n%s", page)
	}
	// Without ?lang= the Dutch tenant's page is Dutch, whatever the
	// browser prefers, and names the zone of its times.
	link, _ := f.links.IssueToken(t.Context(), f.tenant)
	_, body := f.get(t, "/verify/"+link, "Accept-Language", "en-GB,en;q=0.9")
	if !strings.Contains(body, "Controle van de Recrubo-koppeling") || !strings.Contains(body, `lang="nl"`) ||
		!strings.Contains(body, "Tijden staan in de tijdzone Europe/Amsterdam.") {
		t.Error("the Dutch tenant's verify link did not give the Dutch page")
	}
	if !regexp.MustCompile(`op \d+ [a-z]+ \d{4} om \d\d:\d\d CES?T`).MatchString(body) {
		t.Errorf("the Dutch page's times do not read as a date and time in the tenant's named zone: %s", body)
	}
}

func testVerifyWebhooksDisabled(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	app := f.tenant.Webhook.ApplicationID
	hs, err := f.emu.Webhooks().Webhooks(t.Context(), app)
	if err != nil || len(hs) == 0 {
		t.Fatalf("webhooks of %s: %v", app, err)
	}
	for _, h := range hs {
		if err := f.emu.Webhooks().SetWebhookStatus(t.Context(), app, h.ID, "disabled"); err != nil {
			t.Fatal(err)
		}
	}
	states, doc, _ := f.checklist(t, "en")
	onlyFailing(t, states, verify.CheckWebhooks)
	if !strings.Contains(doc.Find(`li[data-check="webhooks"]`).Text(), "switched off") {
		t.Errorf("webhooks item: %s", doc.Find(`li[data-check="webhooks"]`).Text())
	}
	if !f.verifiedAt(t).IsZero() {
		t.Error("a failing checklist marked the tenant verified")
	}
}

func testVerifyTemplateDeleted(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	for _, tr := range f.emu.Templates() {
		if tr.Code != nil && *tr.Code == provisioning.CodeInbox {
			if err := f.emu.DeleteTemplate(t.Context(), tr.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	states, doc, _ := f.checklist(t, "nl")
	onlyFailing(t, states, verify.CheckTemplates)
	if txt := doc.Find(`li[data-check="templates"]`).Text(); !strings.Contains(txt, "recrubo.inbox") || !strings.Contains(txt, "Wat te doen") {
		t.Errorf("templates item: %s", txt)
	}
	if !f.verifiedAt(t).IsZero() {
		t.Error("a failing checklist marked the tenant verified")
	}
}

func testVerifySyncUnfinished(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	f.syncRun.State = recrubo.RunRunning
	if err := f.db.UpdateSyncRun(t.Context(), f.syncRun); err != nil {
		t.Fatal(err)
	}
	states, _, _ := f.checklist(t, "en")
	onlyFailing(t, states, verify.CheckSync)
	if !f.verifiedAt(t).IsZero() {
		t.Error("a failing checklist marked the tenant verified")
	}
}

func testVerifyNoDelivery(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	states, _, _ := f.checklist(t, "en")
	onlyFailing(t, states, verify.CheckWebhooks)
}

func testVerifyBadTokens(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	good, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := (&verify.Links{Store: f.db, PublicURL: f.public, Now: func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }}).
		IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	tampered := good[:len(good)-2] + "AA"
	if strings.HasSuffix(good, "AA") {
		tampered = good[:len(good)-2] + "BB"
	}
	payload, mac, _ := strings.Cut(good, ".")
	other := strings.Replace(payload, "A", "B", 1) + "." + mac
	shown := map[string]string{}
	for name, token := range map[string]string{"expired": expired, "tampered": tampered, "other payload": other,
		"garbage": "not-a-token", "revoked": good, "truncated": good[:len(good)/2]} {
		resp, body := f.get(t, "/verify/"+token+"?lang=en")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d", name, resp.StatusCode)
		}
		if resp, _ := f.get(t, "/verify/"+token+"/sync"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token, sync progress: status %d", name, resp.StatusCode)
		}
		if resp, _ := f.post(t, "/verify/"+token); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token, running the checks: status %d", name, resp.StatusCode)
		}
		// An HTML page saying what happened and how to get a new link,
		// the same for every cause: it tells nothing about the token.
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s token: Content-Type %q, want the HTML page: %s", name, ct, body)
			continue
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if cmd := doc.Find("code.command").First().Text(); !strings.HasPrefix(cmd, "recrubo-carerix tenant verify-link --tenant ") {
			t.Errorf("%s token: the next step's command is %q", name, cmd)
		}
		card := doc.Find(`main section.card.error`)
		card.Find("p.small").Remove() // the request id
		card.Find("code.command").Remove()
		text := strings.Join(strings.Fields(card.Text()), " ")
		if !strings.Contains(text, "This verify link does not work") || !strings.Contains(text, "ask your Recrubo contact for a new link") {
			t.Errorf("%s token: the page reads %q", name, text)
		}
		if shown[""] == "" {
			shown[""] = text
		} else if text != shown[""] {
			t.Errorf("%s token: the page reads %q, another bad token's %q", name, text, shown[""])
		}
	}
	// The expired link was issued for the Dutch tenant: its page is
	// Dutch, whatever the browser prefers, and names the tenant's command.
	resp, body := f.get(t, "/verify/"+expired, "Accept-Language", "en")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `lang="nl"`) || !strings.Contains(body, "Deze controlelink werkt niet") ||
		!strings.Contains(body, "recrubo-carerix tenant verify-link --tenant acme") {
		t.Errorf("expired link of the Dutch tenant = %d %s", resp.StatusCode, body)
	}
	// The expired link was issued last, so it revoked good: a new link works.
	fresh, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(t, "/verify/"+fresh); resp.StatusCode != http.StatusOK {
		t.Errorf("fresh link: status %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, "/verify/"+good); resp.StatusCode != http.StatusForbidden {
		t.Errorf("link revoked by a newer one: status %d", resp.StatusCode)
	}
}

// testVerifySyncProgress: the verify link also reads the sync's progress
// and health as JSON, counting what the initial sync stored.
func testVerifySyncProgress(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	token, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/verify/"+token+"/sync")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("sync progress: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var p carerixsync.SyncProgress
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("sync progress is not JSON: %v: %s", err, body)
	}
	n, err := f.db.CountCandidates(t.Context(), f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.TenantID != f.tenant.ID || p.State != string(recrubo.RunSucceeded) || n != 1 || p.InScope[recrubo.EntityCandidate] != n {
		t.Errorf("progress = %+v; want the succeeded run and %d candidate in scope", p, n)
	}
	if strings.Contains(body, f.tenant.Webhook.Secret.Reveal()) || strings.Contains(body, f.tenant.Embed.SigningKey.Reveal()) {
		t.Error("the progress JSON carries a secret")
	}
}

func testVerifyEmbed(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	admin, _ := f.emu.User(f.admin.ID)
	plain, _ := f.emu.User(f.plain.ID)
	dk, err := embed.PageKey(f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	q := func(u carerixemu.User) string {
		return "/embed/acme/verify?u=" + url.QueryEscape(u.ID) + "&uh=" + url.QueryEscape(u.StableHash) + "&dk=" + dk + "&lang=English"
	}
	// Opening the page inside Carerix shows the last result and runs
	// nothing; its button posts back to the same URL and runs the checks.
	resp, body := f.get(t, q(admin))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "have not run yet") {
		t.Fatalf("admin opening the page: status %d %s", resp.StatusCode, body)
	}
	action := mustDoc(t, body).Find("form.verify-run").AttrOr("action", "")
	if action != q(admin) {
		t.Errorf("the button posts to %q, want the page's own URL %q", action, q(admin))
	}
	resp, body = f.post(t, action)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin: status %d %s", resp.StatusCode, body)
	}
	onlyFailing(t, checklistStates(t, body), "")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+f.tenant.FrameOrigins[0]) {
		t.Errorf("embed verify page CSP = %s", csp)
	}
	tn, _ := f.db.TenantByID(t.Context(), f.tenant.ID)
	if !strings.Contains(tn.VerifiedBy, f.admin.ID) {
		t.Errorf("VerifiedBy = %q, want the Carerix user", tn.VerifiedBy)
	}
	if !strings.Contains(body, "(Carerix-gebruiker "+f.admin.ID+")") && !strings.Contains(body, "(Carerix user "+f.admin.ID+")") {
		t.Errorf("the page does not name the admin who ran the checks:\n%s", body)
	}
	if resp, _ := f.get(t, q(plain)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("non-admin: status %d", resp.StatusCode)
	}
	if resp, _ := f.post(t, q(plain)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("non-admin running the checks: status %d", resp.StatusCode)
	}
	forged := "/embed/acme/verify?u=" + url.QueryEscape(admin.ID) + "&uh=wrong&lang=nl"
	if resp, _ := f.get(t, forged); resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged hash: status %d", resp.StatusCode)
	}
}

// carerixCalls counts the requests Carerix (the emulator) has received.
func (f *verifyFixture) carerixCalls() int {
	st := f.emu.Stats()
	return st.GraphQLRequests + st.TokenRequests
}

// testVerifyGetIsReadOnly: opening the verify link (as a link scanner in
// mail or chat does) makes no Carerix call, runs nothing and marks
// nothing; it shows the last result, and the button runs the checks.
func testVerifyGetIsReadOnly(t *testing.T, backend string) {
	f := newVerifyFixture(t, backend)
	f.deliver(t)
	link, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	before := f.carerixCalls()
	resp, body := f.get(t, "/verify/"+link+"?lang=en")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("opening the link: %d %s", resp.StatusCode, body)
	}
	doc := mustDoc(t, body)
	if n := doc.Find("li.verify-item").Length(); n != 0 || !strings.Contains(body, "The checks have not run yet.") {
		t.Errorf("before any run the page shows %d checks:\n%s", n, body)
	}
	if action := doc.Find("form.verify-run[method=post]").AttrOr("action", ""); action != "/verify/"+link+"?lang=en" {
		t.Errorf("the button posts to %q", action)
	}
	if after := f.carerixCalls(); after != before {
		t.Errorf("opening the link made %d Carerix calls, want none", after-before)
	}
	if !f.verifiedAt(t).IsZero() {
		t.Error("opening the link marked the tenant verified")
	}

	resp, body = f.post(t, "/verify/"+link+"?lang=en")
	if resp.StatusCode != http.StatusOK || f.carerixCalls() == before {
		t.Fatalf("the button: %d, %d Carerix calls", resp.StatusCode, f.carerixCalls()-before)
	}
	ran := checklistStates(t, body)
	onlyFailing(t, ran, "")
	if f.verifiedAt(t).IsZero() {
		t.Error("a passing run did not mark the tenant verified")
	}

	// Opened again: the result of that run, and still no Carerix call.
	before = f.carerixCalls()
	resp, body = f.get(t, "/verify/"+link+"?lang=en")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("opening the link again: %d", resp.StatusCode)
	}
	if got := checklistStates(t, body); len(got) != len(ran) {
		t.Errorf("the page shows %v, want the last run's %v", got, ran)
	}
	if !strings.Contains(body, "Last checked on") || !strings.Contains(body, "by the verify link") ||
		!strings.Contains(body, "Run the checks again") {
		t.Errorf("the page does not say when the checks last ran:\n%s", body)
	}
	if _, nl := f.get(t, "/verify/"+link+"?lang=nl"); !strings.Contains(nl, "door de controlelink") {
		t.Errorf("the Dutch page does not say who ran the checks in Dutch:\n%s", nl)
	}
	if after := f.carerixCalls(); after != before {
		t.Errorf("opening the link again made %d Carerix calls, want none", after-before)
	}
	// The tenant syncs no vacancies: the page says so.
	if !strings.Contains(body, "No vacancy statuses are chosen") {
		t.Error("no warning about the missing vacancy statuses")
	}
	f.tenant.Filters.VacancyStatuses = []string{"Open"}
	if err := f.db.UpdateTenant(t.Context(), f.tenant); err != nil {
		t.Fatal(err)
	}
	if _, body := f.get(t, "/verify/"+link+"?lang=en"); strings.Contains(body, "No vacancy statuses") {
		t.Error("the vacancy warning shows although vacancy statuses are set")
	}
}

// testVerifyThrottled: a second run right after the first is refused
// (429 with Retry-After), asks Carerix nothing and shows the last result.
func testVerifyThrottled(t *testing.T, backend string) {
	f := newVerifyFixtureGap(t, backend, time.Hour)
	f.deliver(t)
	link, err := f.links.IssueToken(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := f.post(t, "/verify/"+link); resp.StatusCode != http.StatusOK {
		t.Fatalf("first run: %d %s", resp.StatusCode, body)
	}
	before := f.carerixCalls()
	resp, body := f.post(t, "/verify/"+link+"?lang=en")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second run at once: %d (Retry-After %q)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "The checks ran moments ago") {
		t.Errorf("the refusal does not say why:\n%s", body)
	}
	onlyFailing(t, checklistStates(t, body), "")
	if after := f.carerixCalls(); after != before {
		t.Errorf("the refused run made %d Carerix calls", after-before)
	}
}
