package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// embedNow is the fixed clock of the embed tests: a Tuesday afternoon.
var embedNow = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)

// embedFixture is a server with the embed routes over a real store, a
// Carerix emulator holding the records, and a mirror synced from it.
type embedFixture struct {
	t      testing.TB
	srv    *Server
	db     *store.DB
	env    *storetest.Env
	emu    *carerixemu.Server
	tenant *recrubo.Tenant
	viewer carerixemu.User
	other  carerixemu.User
	cand   carerixemu.Employee
	vac    carerixemu.Vacancy
	conv   *recrubo.Conversation
	now    time.Time
}

func newEmbedFixture(t testing.TB, backend string) *embedFixture {
	t.Helper()
	return newEmbedFixtureOn(t, backend, carerixemu.ProfileDocs)
}

// newEmbedFixtureOn is newEmbedFixture against Carerix of profile p. Its
// realm signs viewers in (the observed profile has no stableHash for the
// URL proof).
func newEmbedFixtureOn(t testing.TB, backend string, p carerixemu.Profile) *embedFixture {
	t.Helper()
	ctx := context.Background()
	f := &embedFixture{t: t, now: embedNow}
	f.emu = carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: p, Now: func() time.Time { return f.now }})
	f.env = storetest.NewEnv(t, backend)
	f.db = f.env.Open(t, func(c *store.Config) { c.Now = func() time.Time { return f.now } })

	var err error
	// Eva is a manager: she sees every conversation and the tenant-wide
	// dashboard. Jan is a recruiter.
	if f.viewer, err = f.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva"), FirstName: carerixemu.Str("Eva"),
		LastName: carerixemu.Str("de Boer"), Roles: []string{"Teamleider"}}); err != nil {
		t.Fatal(err)
	}
	if f.other, err = f.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("jan"), FirstName: carerixemu.Str("Jan"), LastName: carerixemu.Str("Smit")}); err != nil {
		t.Fatal(err)
	}
	if f.cand, err = f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastNamePrefix: carerixemu.Str("van"),
		LastName: carerixemu.Str("Dijk"), EmailAddress: carerixemu.Str("sanne@example.nl"), MobileNumber: carerixemu.Str("06-12345678"),
		Status: carerixemu.Str("Actief"), Owner: carerixemu.Str(f.viewer.ID)}); err != nil {
		t.Fatal(err)
	}
	if f.vac, err = f.emu.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Heftruckchauffeur"), CompanyName: carerixemu.Str("Bouw BV")}); err != nil {
		t.Fatal(err)
	}

	emuURL, _ := url.Parse(f.emu.URL())
	f.tenant = &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme Uitzend", FrameOrigins: []string{"http://" + emuURL.Host},
		Carerix: recrubo.CarerixSettings{APIBaseURL: f.emu.URL(), IdentityBaseURL: f.emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("admin-secret")},
		Filters: recrubo.StatusFilters{CandidateStatuses: []string{"Actief", "Nieuw"}},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789abcdef"),
			ManagerRoles: []string{"Teamleider"}},
		WhatsApp: recrubo.WhatsAppSettings{APIBaseURL: "http://127.0.0.1:1", PhoneNumberID: "1000", AccessToken: recrubo.NewSecret("wa-token")},
		Language: "nl", TimeZone: "Europe/Amsterdam",
	}
	if p != carerixemu.ProfileDocs {
		f.tenant.Embed.SignInClientID = carerixemu.DefaultPublicClientID
	}
	if err := f.db.CreateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	f.syncUser(f.viewer)
	f.syncUser(f.other)
	f.syncCandidate(f.cand)
	f.syncVacancy(f.vac)
	if _, err := f.db.UpsertMatch(ctx, &recrubo.Match{TenantID: f.tenant.ID, ID: "m1", CandidateID: f.cand.ID, VacancyID: f.vac.ID,
		Stage: "Voorgesteld", ModifiedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: f.tenant.ID, Name: "vacature_update", Language: "nl",
		Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved, Body: "Hoi {{1}}, er is nieuws over {{2}}.", Variables: 2}); err != nil {
		t.Fatal(err)
	}
	f.srv = newEmbedServerClock(t, f.db, func() time.Time { return f.now }, func(d *Deps) {
		d.Embeds.SignIn = &embed.Realm{PublicURL: "http://127.0.0.1:1", Now: func() time.Time { return f.now }}
	})
	return f
}

// newEmbedServer builds a server whose embed routes use db and Carerix
// through the real authenticator and messaging service.
func newEmbedServer(t testing.TB, db *store.DB, now time.Time) *Server {
	t.Helper()
	return newEmbedServerClock(t, db, func() time.Time { return now })
}

// newEmbedServerClock is newEmbedServer on clock; adjust, when given,
// changes the server's dependencies before it is built.
func newEmbedServerClock(t testing.TB, db *store.DB, clock func() time.Time, adjust ...func(*Deps)) *Server {
	t.Helper()
	tpl, cat, assets, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	svc := messaging.New(messaging.Config{Store: db, Now: clock})
	deps := Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Now: clock,
		Templates: tpl, Catalog: cat, Assets: assets,
		Embeds: EmbedDeps{Auth: auth, Data: db, Messenger: svc, Broadcasts: svc,
			Carerix:      embed.NewCarerixRecords(nil, time.Minute),
			RefusalFloor: -1}} // tests of the floor set it
	for _, a := range adjust {
		a(&deps)
	}
	s, err := New(Config{ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second, BodyLimit: 1 << 20}, deps)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serveCached serves the fixture's pages reading through the store's
// cache, as in production.
func (f *embedFixture) serveCached(b testing.TB) {
	cached, err := store.NewCached(f.db, store.CacheConfig{TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cached.Close)
	f.srv = newEmbedServerOn(b, f.db, cached, f.now)
}

// newEmbedServerOn is newEmbedServer reading through data (the cache),
// with a page cache that data's changes invalidate, as the service wires
// them.
func newEmbedServerOn(b testing.TB, db *store.DB, data *store.Cached, now time.Time) *Server {
	b.Helper()
	s := newEmbedServer(b, db, now)
	s.deps.Embeds.Data = data
	auth, err := embedAuthOn(data)
	if err != nil {
		b.Fatal(err)
	}
	s.deps.Embeds.Auth = auth
	s.deps.Embeds.Pages = NewEmbedPageCache(30*time.Second, nil)
	data.Subscribe(b.Context(), s.deps.Embeds.Pages.Invalidate)
	return s
}

// refusesFraming requires target to be refused (403) when the browser
// opens it as a top-level document, and when a foreign origin frames it;
// what starts the error.
func (f *embedFixture) refusesFraming(target, what string) {
	f.t.Helper()
	for _, c := range []struct{ header, value, how string }{
		{"Sec-Fetch-Dest", "document", "opened as a top-level document"},
		{"Referer", "https://evil.example/page", "framed by a foreign origin"},
	} {
		req := f.framed(target)
		req.Header.Set(c.header, c.value)
		if resp, _ := f.do(req); resp.StatusCode != 403 {
			f.t.Errorf("%s%s = %d, want 403", what, c.how, resp.StatusCode)
		}
	}
}

func (f *embedFixture) syncUser(u carerixemu.User) {
	f.t.Helper()
	if _, err := f.db.UpsertRecruiter(context.Background(), &recrubo.Recruiter{TenantID: f.tenant.ID, ID: u.ID, UserName: u.UserName,
		FirstName: deref(u.FirstName), LastName: deref(u.LastName), Active: true, StableHash: u.StableHash, ModifiedAt: u.ModificationDate}); err != nil {
		f.t.Fatal(err)
	}
}

// promote makes Jan a manager too, for tests in which two viewers see
// the tenant-wide pages.
func (f *embedFixture) promote() {
	f.t.Helper()
	u, err := f.emu.UpdateUser(context.Background(), f.other.ID, carerixemu.UserFields{Roles: []string{"Teamleider"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.other = u
	f.syncUser(u)
}

// listToken is the session token of the viewer's tenant-wide dashboard,
// which may read the conversation list.
func (f *embedFixture) listToken() string {
	f.t.Helper()
	_, doc := f.page(f.dashboardURL("nl"))
	return pageToken(f.t, doc)
}

// syncCandidate puts the emulator's candidate into the mirror as sync would.
func (f *embedFixture) syncCandidate(e carerixemu.Employee) *recrubo.Candidate {
	f.t.Helper()
	c := &recrubo.Candidate{TenantID: f.tenant.ID, ID: e.ID, FirstName: deref(e.FirstName), LastNamePrefix: deref(e.LastNamePrefix),
		LastName: deref(e.LastName), Email: deref(e.EmailAddress), Phone: deref(e.PhoneNumber), Mobile: deref(e.MobileNumber),
		City: deref(e.City), StatusLabel: "Actief", StableHash: e.StableHash, ModifiedAt: e.ModificationDate, SyncedAt: f.now}
	if e.OwnerID != 0 {
		c.OwnerID = strconv.Itoa(e.OwnerID)
	}
	for _, raw := range []string{c.Mobile, c.Phone} {
		if p, err := recrubo.NormalizePhone(raw, f.tenant.PhoneRegion); err == nil && raw != "" {
			c.PhoneE164 = p
			break
		}
	}
	if _, err := f.db.UpsertCandidate(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *embedFixture) syncVacancy(v carerixemu.Vacancy) {
	f.t.Helper()
	if _, err := f.db.UpsertVacancy(context.Background(), &recrubo.Vacancy{TenantID: f.tenant.ID, ID: v.ID, Title: deref(v.JobTitle),
		CompanyName: "Bouw BV", StatusLabel: "Open", StableHash: v.StableHash, ModifiedAt: v.ModificationDate, SyncedAt: f.now}); err != nil {
		f.t.Fatal(err)
	}
}

// startConversation gives the candidate a conversation with an inbound
// message at `ago` before now, and a failed and a delivered outbound one.
func (f *embedFixture) startConversation(ago time.Duration) {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.db.Candidate(ctx, f.tenant.ID, f.cand.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	at := f.now.Add(-ago)
	f.conv = &recrubo.Conversation{TenantID: f.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: c.PhoneE164, CandidateID: c.ID,
		State: recrubo.ConversationOpen, LastInboundAt: at, LastOutboundAt: at.Add(-time.Hour), LastMessageAt: at, LastMessagePreview: "Ja, graag!"}
	if err := f.db.SaveConversation(ctx, f.conv); err != nil {
		f.t.Fatal(err)
	}
	f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.viewer.ID, Body: "Hoi Sanne, interesse in een baan?",
		Status: recrubo.StatusDelivered, CreatedAt: at.Add(-2 * time.Hour), ProviderID: "wamid.1", SendAttempt: 1})
	f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.viewer.ID, Body: "Bel je me?", Status: recrubo.StatusFailed,
		FailCode: "131026", FailReason: "131026: Message undeliverable", CreatedAt: at.Add(-time.Hour), ProviderID: "wamid.2", SendAttempt: 1})
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Ja, graag!", Status: recrubo.StatusReceived, CreatedAt: at, ProviderID: "wamid.3"})
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, MediaType: "image", MediaRef: "media-1", Status: recrubo.StatusReceived,
		CreatedAt: at.Add(time.Second), ProviderID: "wamid.4"})
	if err := f.db.AddCost(ctx, f.tenant.ID, f.conv.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.0456"), at); err != nil {
		f.t.Fatal(err)
	}
}

func (f *embedFixture) addMessage(m *recrubo.Message) *recrubo.Message {
	f.t.Helper()
	m.TenantID, m.ConversationID = f.tenant.ID, f.conv.ID
	if _, err := f.db.AddMessage(context.Background(), m); err != nil {
		f.t.Fatal(err)
	}
	return m
}

// candidateURL is the inbox URL a Carerix template writes for the viewer.
func (f *embedFixture) candidateURL(lang string) string {
	return "/embed/acme/candidate/" + f.cand.ID + "?" + url.Values{"rh": {f.cand.StableHash}, "u": {f.viewer.ID},
		"uh": {f.viewer.StableHash}, "lang": {lang}}.Encode()
}

// dashboardURL is the tenant-wide dashboard's URL its own template
// writes for the viewer: the user's proof and the page key.
func (f *embedFixture) dashboardURL(lang string) string {
	return "/embed/acme/dashboard?" + url.Values{"u": {f.viewer.ID}, "uh": {f.viewer.StableHash}, "dk": {f.pageKey()}, "lang": {lang}}.Encode()
}

// conversationsURL is the conversation list's URL with the dashboard's
// proof, plus query.
func (f *embedFixture) conversationsURL(query url.Values) string {
	q := url.Values{"u": {f.viewer.ID}, "uh": {f.viewer.StableHash}, "dk": {f.pageKey()}}
	for k, v := range query {
		q[k] = v
	}
	return "/embed/acme/conversations?" + q.Encode()
}

// pageKey is the key the tenant's tenant-wide templates write.
func (f *embedFixture) pageKey() string {
	k, err := embed.PageKey(f.tenant)
	if err != nil {
		f.t.Fatal(err)
	}
	return k
}

func (f *embedFixture) vacancyURL(lang string) string {
	return "/embed/acme/vacancy/" + f.vac.ID + "?" + url.Values{"rh": {f.vac.StableHash}, "u": {f.viewer.ID},
		"uh": {f.viewer.StableHash}, "lang": {lang}}.Encode()
}

// framed is a page load as a browser makes it inside the tenant's Carerix.
func (f *embedFixture) framed(target string) *http.Request {
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	req.Header.Set("Referer", f.tenant.FrameOrigins[0]+"/record/candidate/1")
	return req
}

// do sends req and returns the response and body.
func (f *embedFixture) do(req *http.Request) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.srv.app.Test(req, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

// page loads a framed page, requires 200 and parses it.
func (f *embedFixture) page(target string) (*http.Response, *goquery.Document) {
	f.t.Helper()
	resp, body := f.do(f.framed(target))
	if resp.StatusCode != 200 {
		f.t.Fatalf("GET %s = %d: %s", target, resp.StatusCode, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, doc
}

// token returns the session token a page carries.
func pageToken(t testing.TB, doc *goquery.Document) string {
	t.Helper()
	var data struct {
		Token string `json:"token"`
	}
	raw := doc.Find("#embed-data").Text()
	if err := jsonUnmarshal(raw, &data); err != nil || data.Token == "" {
		t.Fatalf("page has no session token: %v %q", err, raw)
	}
	return data.Token
}

// api sends an API request with a bearer token.
func (f *embedFixture) api(method, target, token, body string) (*http.Response, string) {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return f.do(req)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
