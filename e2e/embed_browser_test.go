// Package e2e drives the product through headless Chromium: the pages
// Carerix frames, loaded inside the Carerix emulator's record pages.
package e2e

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/server/servertest"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// embedChromium starts a headless Chromium with third-party cookies
// blocked and a fresh profile. Without CHROMIUM_PATH it looks for
// /usr/bin/chromium and skips when there is none; a Chromium that is
// there (named by CHROMIUM_PATH or found) but does not start fails the
// test, so a broken browser setup cannot pass as a skip.
func embedChromium(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
		if _, err := os.Stat(path); err != nil {
			t.Skipf("no Chromium at %s (set CHROMIUM_PATH): %v", path, err)
		}
	} else if _, err := os.Stat(path); err != nil {
		t.Fatalf("CHROMIUM_PATH=%s: %v", path, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("test-third-party-cookie-phaseout", true), chromedp.Flag("blocked-third-party-cookies", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("Chromium at %s does not start: %v", path, err)
	}
	return ctx
}

// embedArtifacts is where screenshots go.
func embedArtifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// embedStack is the service's embed pages served over real HTTP on
// 127.0.0.1, framed by the Carerix emulator's record pages on localhost
// (another site, so the iframe is third-party).
type embedStack struct {
	// lastTarget and lastFrame are the frame st.frame attached to last:
	// Chromium may keep a frame's target when the next page frames the
	// same site, and a second session on one target loses track of its
	// documents, so that session is used again.
	lastTarget string
	lastFrame  context.Context
	// frameFor bounds how long a frame st.frame returns may be used;
	// one minute when zero.
	frameFor time.Duration
	emu      *carerixemu.Server
	db       *store.DB
	tenant   *recrubo.Tenant
	user     carerixemu.User
	cand     carerixemu.Employee
	base     string // our service's URL
	emuURL   string // the emulator as the browser reaches it
}

// startEmbedStack starts the stack; adjust, when given, changes the
// server's dependencies before it starts (st holds the store and tenant).
func startEmbedStack(t testing.TB, adjust ...func(st *embedStack, deps *server.Deps)) *embedStack {
	t.Helper()
	return startEmbedStackOn(t, storetest.SQLite, adjust...)
}

// startEmbedStackOn is startEmbedStack on the backend (storetest.SQLite or
// storetest.Postgres).
func startEmbedStackOn(t testing.TB, backend string, adjust ...func(st *embedStack, deps *server.Deps)) *embedStack {
	t.Helper()
	ctx := context.Background()
	st := &embedStack{}
	st.emu = carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	u, _ := url.Parse(st.emu.URL())
	st.emuURL = "http://localhost:" + u.Port()

	var err error
	if st.user, err = st.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva"), FirstName: carerixemu.Str("Eva"),
		LastName: carerixemu.Str("de Boer"), Roles: []string{"Administrator"}}); err != nil {
		t.Fatal(err)
	}
	if st.cand, err = st.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastName: carerixemu.Str(`<b>"Dijk"</b>`),
		MobileNumber: carerixemu.Str("0612345678"), Status: carerixemu.Str("Actief"), Owner: carerixemu.Str(st.user.ID)}); err != nil {
		t.Fatal(err)
	}
	st.db = storetest.NewEnv(t, backend).Open(t)
	st.tenant = &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{st.emuURL},
		Carerix: recrubo.CarerixSettings{APIBaseURL: st.emu.URL(), IdentityBaseURL: st.emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:    recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")},
		Filters:  recrubo.StatusFilters{CandidateStatuses: []string{"Actief"}, VacancyStatuses: []string{"Open"}},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789")},
		WhatsApp: recrubo.WhatsAppSettings{APIBaseURL: "http://127.0.0.1:1", PhoneNumberID: "1000", AccessToken: recrubo.NewSecret("t")},
		Language: "nl", TimeZone: "Europe/Amsterdam"}
	if err := st.db.CreateTenant(ctx, st.tenant); err != nil {
		t.Fatal(err)
	}
	// The mirror as sync leaves it.
	if _, err := st.db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: st.tenant.ID, ID: st.user.ID, FirstName: "Eva", LastName: "de Boer", Active: true, ModifiedAt: st.user.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: st.tenant.ID, ID: st.cand.ID, FirstName: "Sanne", LastName: `<b>"Dijk"</b>`,
		Mobile: "0612345678", PhoneE164: "+31612345678", StatusLabel: "Actief", OwnerID: st.user.ID, StableHash: st.cand.StableHash,
		ModifiedAt: st.cand.ModificationDate}); err != nil {
		t.Fatal(err)
	}

	tpl, cat, assets, err := server.LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := embed.New(embed.Config{Mirror: st.db, Fetcher: &embed.CarerixFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	deps := server.Deps{Templates: tpl, Catalog: cat, Assets: assets,
		Embeds: server.EmbedDeps{Auth: auth, Data: st.db, Messenger: messaging.New(messaging.Config{Store: st.db}),
			Carerix: embed.NewCarerixRecords(nil, time.Minute), Waits: servertest.ChangeWaits(t, st.db)}}
	for _, a := range adjust {
		a(st, &deps)
	}
	st.base = servertest.Start(t, deps, servertest.Options{})

	// Install document templates with the embed URL scheme, as
	// provisioning does.
	install := func(name, target, path, proof string) {
		lang := "en"
		if target == "CRVacancy" {
			lang = "${activity.owner.language.urlEncoded}" // as the viewing user speaks
		}
		src := `<cx:let name="u" value="` + st.base + `/embed/acme/` + path + `?` + proof + `&amp;u=${activity.owner._id.urlEncoded}&amp;uh=${activity.owner.stableHash.urlEncoded}&amp;lang=` + lang + `" expand="1"/>` +
			`<cx:element tag="iframe"><cx:parameter name="src" value="$u"/><cx:parameter name="id" value="recrubo"/><cx:parameter name="width" value="100%"/><cx:parameter name="height" value="760"/></cx:element>`
		if _, err := st.emu.CreateTemplate(ctx, carerixemu.TemplateFields{Name: carerixemu.Str(name), Code: carerixemu.Str(name), Content: carerixemu.Str(src),
			TargetEntityName: carerixemu.Str(target), IsEmbedded: carerixemu.Bool(true), IsActive: carerixemu.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	install("Recrubo inbox", "CREmployee", "candidate/${activity.toEmployee._id.urlEncoded}", "rh=${activity.toEmployee.stableHash.urlEncoded}")
	dk, err := embed.PageKey(st.tenant)
	if err != nil {
		t.Fatal(err)
	}
	install("Recrubo dashboard", carerixemu.HomeTargetEntity, "dashboard", "dk="+dk)
	install("Recrubo vacancy", "CRVacancy", "vacancy/${activity.toVacancy._id.urlEncoded}", "rh=${activity.toVacancy.stableHash.urlEncoded}")
	return st
}

func TestEmbedInboxInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startEmbedStack(t)
	dir := embedArtifacts(t)
	bg := context.Background()
	for name, n := range map[string]int{"intake": 7, "herinnering": 1} {
		var body []string
		for i := 1; i <= n; i++ {
			body = append(body, fmt.Sprintf("{{%d}}", i))
		}
		if err := st.db.SaveTemplate(bg, &recrubo.MessageTemplate{TenantID: st.tenant.ID, Name: name, Language: "nl", Category: recrubo.CategoryUtility,
			Status: recrubo.TemplateApproved, Body: strings.Join(body, " · "), Variables: n}); err != nil {
			t.Fatal(err)
		}
	}

	record := st.emuURL + "/record/candidate/" + st.cand.ID + "?user=" + st.user.ID
	st.open(t, ctx, record)
	frame := st.frame(t, ctx)
	name, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS(".candidate-name")))
	if err != nil {
		t.Fatalf("loading the inbox in the record page: %v", err)
	}
	if name != `Sanne <b>"Dijk"</b>` {
		t.Errorf("candidate name = %q: the hostile value must show as text", name)
	}
	embedScreenshot(t, ctx, dir, "inbox-loaded.png")

	// No conversation yet, so only a template may start one: the picker
	// shows as many inputs as the chosen template has variables, and a
	// template with 7 of them sends.
	err = chromedp.Do(frame,
		chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form="send-template"] select`)),
	)
	if err != nil {
		t.Fatalf("the template picker: %v", err)
	}
	visibleVars := func(template string) int {
		t.Helper()
		n, err := chromedp.Run(frame, chromedp.Evaluate[int](`(() => {
			const s = document.querySelector('form[data-form="send-template"] select');
			s.value = `+strconv.Quote(template)+`;
			s.dispatchEvent(new Event("change"));
			return document.querySelectorAll('form[data-form="send-template"] fieldset:not([hidden]):not([disabled]) [data-var]').length;
		})()`))
		if err != nil {
			t.Fatalf("choosing %s: %v", template, err)
		}
		return n
	}
	if n := visibleVars("herinnering|nl"); n != 1 {
		t.Errorf("%d variable inputs for a template with 1 variable", n)
	}
	if n := visibleVars("intake|nl"); n != 7 {
		t.Fatalf("%d variable inputs for a template with 7 variables, want 7", n)
	}
	vars := []string{"Sanne", "dinsdag", "10:00", "Zwolle", "Eva", "Heftruckchauffeur", "Bouw BV"}
	var fill []chromedp.Action[chromedp.Void]
	for i, v := range vars {
		fill = append(fill, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`form[data-form="send-template"] fieldset:not([hidden]) input[data-var="%d"]`, i+1)), v))
	}
	if err := chromedp.Do(frame, fill...); err != nil {
		t.Fatalf("filling the variables: %v", err)
	}
	// The preview shows the message as it will be sent.
	preview, err := chromedp.Run(frame, chromedp.Evaluate[string](`(() => {
		const f = document.querySelector('form[data-form="send-template"]');
		f.querySelectorAll("fieldset:not([hidden]) [data-var]").forEach((i) => i.dispatchEvent(new Event("input", {bubbles: true})));
		return f.querySelector("[data-preview]:not([hidden]) .preview-body").textContent;
	})()`))
	if err != nil || preview != strings.Join(vars, " · ") {
		t.Errorf("the preview reads %q %v, want the message sent, %q", preview, err, strings.Join(vars, " · "))
	}
	// The first message starts the conversation; the page reloads itself
	// (a navigation from our own page inside the frame) for its toolbar.
	markDocument(t, frame)
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`form[data-form="send-template"] button[type="submit"]`))); err != nil {
		t.Fatalf("sending the template: %v", err)
	}
	waitNewDocument(t, frame, `document.querySelector('[data-action="state"]') && document.querySelector(".thread .message.outbound")`)
	conv, err := st.db.ConversationByPhone(bg, st.tenant.ID, recrubo.ChannelWhatsApp, "+31612345678")
	if err != nil {
		t.Fatalf("no conversation after sending the template: %v", err)
	}
	msgs, err := st.db.Messages(bg, st.tenant.ID, conv.ID, 10)
	if err != nil || len(msgs) != 1 || msgs[0].TemplateName != "intake" || strings.Join(msgs[0].TemplateVars, "|") != strings.Join(vars, "|") {
		t.Fatalf("stored messages after the template = %+v %v", msgs, err)
	}
	thread, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS(".thread")))
	if err != nil || !strings.Contains(thread, strings.Join(vars, " · ")) {
		t.Errorf("sent template not shown: %q %v", thread, err)
	}
	embedScreenshot(t, ctx, dir, "inbox-template-sent.png")

	// Inside the window: the candidate wrote just now.
	st.inbound(t, "Hallo, is de vacature nog open?")
	st.open(t, ctx, record)
	frame = st.frame(t, ctx)
	err = chromedp.Do(frame,
		// Wait until the page script has wired the form, then fill it.
		// The text is set rather than typed: key events sent to a
		// cross-site frame can land in the parent page while it is still
		// settling, which tests the browser's focus, not the inbox.
		chromedp.WaitReady(chromedp.CSS(`html[data-ready="true"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form="send"] textarea`)),
		chromedp.SetValue(chromedp.CSS(`form[data-form="send"] textarea`), "Ja! Kun je morgen om 10:00?"),
		chromedp.Click(chromedp.CSS(`form[data-form="send"] button[type="submit"]`)),
	)
	if err != nil {
		t.Fatalf("sending from the inbox: %v", err)
	}
	waitFrame(t, frame, `document.getElementById("thread").textContent.includes("Ja! Kun je morgen om 10:00?")`, 10*time.Second)
	msgs, err = st.db.Messages(bg, st.tenant.ID, conv.ID, 10)
	if err != nil || len(msgs) != 3 || msgs[2].Body != "Ja! Kun je morgen om 10:00?" || msgs[2].SenderID != st.user.ID {
		t.Fatalf("stored messages = %v %v", msgs, err)
	}

	// A new inbound message appears without reload: the mark set on this
	// document survives. (How soon it appears, as soon as it is stored by
	// design (the thread's request waits at the server for the change),
	// is logged, not asserted: time belongs in benchmarks, not in a test
	// on a shared machine.)
	waitFrame(t, frame, `(window.__sameDocument = true)`, 5*time.Second)
	st.inbound(t, "Prima, tot morgen <3")
	delivered := time.Now()
	waitFrame(t, frame, `window.__sameDocument === true && document.getElementById("thread").textContent.includes("Prima, tot morgen <3")`, 20*time.Second)
	t.Logf("the inbound message showed %v after its delivery, without a reload", time.Since(delivered).Round(time.Millisecond))
	embedScreenshot(t, ctx, dir, "inbox-conversation.png")

	// Close the conversation: the toolbar shows it at once, and so does
	// the page loaded again inside the frame.
	st.setState(t, frame, conv.ID, "closed", "Closed", "Reopen")
	embedScreenshot(t, ctx, dir, "inbox-closed.png")
	markDocument(t, frame)
	if _, err := chromedp.Run(frame, chromedp.Evaluate[bool](`location.reload(), true`)); err != nil {
		t.Fatalf("reloading the frame: %v", err)
	}
	waitNewDocument(t, frame, `document.documentElement.dataset.ready === "true"`)
	waitFrame(t, frame, stateShown("closed", "Closed", "Reopen"), 5*time.Second)
	st.setState(t, frame, conv.ID, "open", "Open", "Close")
	embedScreenshot(t, ctx, dir, "inbox-reopened.png")

	// The page keeps no cookie of ours.
	if cookies, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.cookie`)); err != nil || cookies != "" {
		t.Errorf("cookies in the inbox: %q %v", cookies, err)
	}
}

// stateShown is a condition on the toolbar: state's badge and label, and
// the button that changes it.
func stateShown(state, badge, button string) string {
	return fmt.Sprintf(`(() => {
		const b = document.querySelector("[data-state-badge]"), btn = document.querySelector('[data-action="state"]');
		return !!b && !!btn && b.classList.contains(%q) && b.textContent.trim() === %q && btn.textContent.trim() === %q;
	})()`, state, badge, button)
}

// setState clicks the toolbar's open/close button and waits until the
// frame shows state and the store holds it.
func (st *embedStack) setState(t *testing.T, frame context.Context, convID, state, badge, button string) {
	t.Helper()
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`[data-action="state"]`))); err != nil {
		t.Fatalf("clicking to make the conversation %s: %v", state, err)
	}
	waitFrame(t, frame, stateShown(state, badge, button), 5*time.Second)
	c, err := st.db.Conversation(context.Background(), st.tenant.ID, convID)
	if err != nil || string(c.State) != state {
		t.Fatalf("stored state = %v %v, want %s", c, err, state)
	}
}

func TestEmbedDashboardInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startEmbedStack(t)
	dir := embedArtifacts(t)
	st.inbound(t, "Hallo")
	st.open(t, ctx, st.emuURL+"/home?user="+st.user.ID)
	frame := st.frame(t, ctx)
	if err := chromedp.Do(frame, chromedp.WaitVisible(chromedp.CSS(`svg.chart-trend`))); err != nil {
		t.Fatalf("loading the dashboard: %v", err)
	}
	lines, err := chromedp.Run(frame, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart-trend polyline.series").length`))
	if err != nil || lines != 2 {
		t.Errorf("trend lines = %d %v", lines, err)
	}
	heading, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || heading != "Recruiting conversations" {
		t.Errorf("heading = %q %v", heading, err)
	}
	if rate, err := chromedp.Run(frame, chromedp.Evaluate[string](`[...document.querySelectorAll(".tiles .tile")]
		.find(t => t.querySelector(".tile-label").textContent === "Response rate").querySelector(".tile-value").textContent`)); err != nil || rate != "0%" {
		t.Errorf("response rate tile = %q %v, want 0%% (English)", rate, err)
	}
	embedScreenshot(t, ctx, dir, "dashboard.png")

	// The period links navigate inside the frame, from our own page.
	for _, days := range []int{7, 90, 30} {
		markDocument(t, frame)
		if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.period[href*="days=%d&"], a.period[href$="days=%d"]`, days, days)))); err != nil {
			t.Fatalf("clicking the %d-day period: %v", days, err)
		}
		waitNewDocument(t, frame, `!!document.querySelector("svg.chart-trend")`)
		active, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.querySelector(".period.active").textContent.trim() + " " + new URLSearchParams(location.search).get("days")`))
		if want := fmt.Sprintf("%d days %d", days, days); err != nil || active != want {
			t.Errorf("after clicking %d days the frame shows %q %v, want %q", days, active, err, want)
		}
		embedScreenshot(t, ctx, dir, fmt.Sprintf("dashboard-%d-days.png", days))
	}
}

// TestEmbedVacancyOutOfScopeInBrowser: a vacancy outside the tenant's
// vacancy filter, opened in Carerix, says why its dashboard is empty: its
// title and status (read from Carerix, the mirror has neither) and the
// synced statuses, in the viewer's language.
func TestEmbedVacancyOutOfScopeInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startEmbedStack(t)
	dir := embedArtifacts(t)
	bg := context.Background()
	v, err := st.emu.CreateVacancy(bg, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Chauffeur CE"), CompanyName: carerixemu.Str("Bouw BV"),
		Status: carerixemu.Str("Vervuld")})
	if err != nil {
		t.Fatal(err)
	}
	john, err := st.emu.CreateUser(bg, carerixemu.UserFields{UserName: carerixemu.Str("john"), FirstName: carerixemu.Str("John"),
		LastName: carerixemu.Str("Smith"), Language: carerixemu.Str("English")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.UpsertRecruiter(bg, &recrubo.Recruiter{TenantID: st.tenant.ID, ID: john.ID, FirstName: "John", LastName: "Smith",
		Active: true, ModifiedAt: john.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user                    string
		heading, notice, status string
	}{
		{st.user.ID, "Gesprekken voor Chauffeur CE", "Chauffeur CE wordt niet gesynchroniseerd.",
			"De vacature heeft de status Vervuld. Alleen vacatures met een van de gesynchroniseerde statussen staan in het dashboard: Open."},
		{john.ID, "Conversations for Chauffeur CE", "Chauffeur CE is not synced.",
			"The vacancy's status is Vervuld. Only vacancies with one of the synced statuses are in the dashboard: Open."},
	} {
		st.open(t, ctx, st.emuURL+"/record/vacancy/"+v.ID+"?user="+tc.user)
		frame := st.frame(t, ctx)
		if err := chromedp.Do(frame, chromedp.WaitVisible(chromedp.CSS(`.notice.warning strong`))); err != nil {
			t.Fatalf("loading the vacancy page: %v", err)
		}
		text, err := chromedp.Run(frame, chromedp.Evaluate[string](`[document.querySelector("h1").textContent,
			document.querySelector(".notice.warning strong").textContent, document.querySelector(".notice.warning span").textContent,
			document.querySelector("svg.chart-trend polyline.out").getAttribute("data-values")].join("\n")`))
		if err != nil {
			t.Fatalf("reading the vacancy page: %v", err)
		}
		shown := strings.Split(text, "\n")
		if len(shown) != 4 {
			t.Fatalf("the vacancy page shows %q", text)
		}
		if shown[0] != tc.heading || shown[1] != tc.notice || !strings.HasPrefix(shown[2], tc.status) {
			t.Errorf("the vacancy page shows %q, want %q, %q and a text starting %q", shown, tc.heading, tc.notice, tc.status)
		}
		if strings.Trim(shown[3], "0,") != "" {
			t.Errorf("the vacancy without conversations draws %s", shown[3])
		}
		embedScreenshot(t, ctx, dir, "vacancy-out-of-scope-"+tc.user+".png")
	}
}

// markDocument marks the frame's current document, so waitNewDocument
// can tell the next one from it.
func markDocument(t *testing.T, frame context.Context) {
	t.Helper()
	if _, err := chromedp.Run(frame, chromedp.Evaluate[bool](`window.recruboOldDocument = true`)); err != nil {
		t.Fatalf("marking the document: %v", err)
	}
}

// waitNewDocument waits until the frame holds a document newer than the
// one markDocument marked, loaded, and cond holds in it. A page the
// server refused shows its error page, which fails the test with the
// page's text.
func waitNewDocument(t *testing.T, frame context.Context, cond string) {
	t.Helper()
	waitFrame(t, frame, `!window.recruboOldDocument && document.readyState === "complete" && (!!document.querySelector(".card.error") || (`+cond+`))`, 10*time.Second)
	if msg, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.querySelector(".card.error")?.textContent.trim() || ""`)); err != nil || msg != "" {
		t.Fatalf("the frame shows an error page after navigating: %q %v", msg, err)
	}
}

// waitFrame evaluates cond in the frame until it is true; evaluations
// that fail while the frame navigates count as false. After within it
// fails the test with what the frame shows.
func waitFrame(t testing.TB, frame context.Context, cond string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(frame, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	shown, _ := chromedp.Run(frame, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	t.Fatalf("waited %v for %s (last error %v); the frame shows %s", within, cond, last, shown)
}

// open loads a Carerix page and waits for our iframe in it.
func (st *embedStack) open(t testing.TB, ctx context.Context, pageURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitVisible(chromedp.CSS(`iframe#recrubo`))); err != nil {
		t.Fatalf("opening %s: %v", pageURL, err)
	}
}

// frame attaches to our cross-site iframe, which Chromium runs as a
// target of its own.
func (st *embedStack) frame(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	deadline, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, st.base+"/embed/") {
				if string(info.TargetID) == st.lastTarget {
					return st.lastFrame
				}
				fctx, fcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(fcancel)
				wctx, wcancel := context.WithTimeout(fctx, cmp.Or(st.frameFor, time.Minute))
				t.Cleanup(wcancel)
				// A DOM query first: it makes the new session learn the
				// frame's document, which evaluations rely on.
				if err := chromedp.Do(wctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					t.Fatalf("attaching to our frame: %v", err)
				}
				st.lastTarget, st.lastFrame = string(info.TargetID), wctx
				return wctx
			}
		}
		select {
		case <-deadline.Done():
			t.Fatalf("no iframe of ours in the page")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// inbound stores a message from the candidate, as the WhatsApp webhook
// does, and returns the conversation.
func (st *embedStack) inbound(t *testing.T, body string) *recrubo.Conversation {
	t.Helper()
	ctx := context.Background()
	conv, err := st.db.ConversationByPhone(ctx, st.tenant.ID, recrubo.ChannelWhatsApp, "+31612345678")
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		conv = &recrubo.Conversation{TenantID: st.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678", CandidateID: st.cand.ID, State: recrubo.ConversationOpen}
	} else if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	conv.LastInboundAt, conv.LastMessageAt, conv.LastMessagePreview = now, now, body
	if err := st.db.SaveConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.AddMessage(ctx, &recrubo.Message{TenantID: st.tenant.ID, ConversationID: conv.ID, Direction: recrubo.Inbound, Body: body,
		Status: recrubo.StatusReceived, CreatedAt: now, ProviderID: fmt.Sprintf("wamid.%d", now.UnixNano())}); err != nil {
		t.Fatal(err)
	}
	return conv
}

func embedScreenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot: %s", filepath.Join(dir, name))
}
