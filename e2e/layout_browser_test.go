package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/verify"
)

// frameWidths are the widths the layout tests give a page's frame: a
// phone, Carerix's record pane, and a full desktop window.
var frameWidths = []int{360, 760, 1280}

// frameHarness serves a page on its own site that frames a URL at a
// width, the way Carerix frames our pages (760 px high).
func frameHarness(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carerix</title>`+
			`<style>html,body{margin:0;padding:0;background:#fff}iframe{display:block;border:0}</style></head>`+
			`<body><iframe id="recrubo" title="Recrubo" width="%s" height="760" src="%s"></iframe></body></html>`,
			url.QueryEscape(r.URL.Query().Get("w")), strings.ReplaceAll(r.URL.Query().Get("src"), `"`, "%22"))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "http://localhost:" + port
}

// layoutProblems lists what overflows in the document it runs in: the
// document wider than its frame, an element reaching outside the frame,
// content wider than its box (a box may cut text with an ellipsis when it,
// or an element around it, has a title with the whole text), and a chart
// label outside its chart.
const layoutProblems = `(() => {
	const W = document.documentElement.clientWidth, out = [];
	const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
		(typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "") +
		' "' + (el.textContent || "").trim().slice(0, 40) + '"';
	if (document.documentElement.scrollWidth > W + 1) out.push("the document is " + document.documentElement.scrollWidth + " px wide in a " + W + " px frame");
	for (const el of document.body.querySelectorAll("*")) {
		if (el.closest("[hidden], .visually-hidden, script, style, template")) continue;
		const inSVG = el instanceof SVGElement && el.tagName.toLowerCase() !== "svg";
		if (inSVG) continue;
		const cs = getComputedStyle(el);
		if (cs.display === "none" || cs.display === "contents" || cs.visibility === "hidden") continue;
		const r = el.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		// An element an ancestor clips (a name cut short with an
		// ellipsis) is judged by that ancestor.
		let clipped = false;
		for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== "visible") { const ar = a.getBoundingClientRect(); clipped = ar.left >= -1 && ar.right <= W + 1; break; }
		}
		if (!clipped && (r.left < -1 || r.right > W + 1)) out.push(name(el) + " reaches from " + Math.round(r.left) + " to " + Math.round(r.right) + " px in a " + W + " px frame");
		if (cs.display === "inline" || el.tagName.toLowerCase() === "svg") continue;
		if (el.scrollWidth > el.clientWidth + 1) {
			if (cs.textOverflow === "ellipsis" && cs.overflowX === "hidden") {
				if (!el.closest("[title]")) out.push(name(el) + " is cut short without a title");
			} else {
				out.push(name(el) + ": content " + el.scrollWidth + " px wide in a " + el.clientWidth + " px box");
			}
		}
	}
	for (const t of document.querySelectorAll("svg text")) {
		const s = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
		if (r.left < s.left - 1 || r.right > s.right + 1) out.push('chart label "' + t.textContent + '" is cut by its chart');
	}
	return out;
})()`

// axeSource returns axe-core's script (AXE_CORE_JS names it; .ci/run
// installs it). Without it the test skips, except in CI, where it fails.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AXE_CORE_JS is not set in CI: .ci/run installs axe-core and sets it")
		}
		t.Skip("AXE_CORE_JS is not set: install axe-core (npm install --prefix .cache/axe axe-core@4.14.1) " +
			"and set AXE_CORE_JS=.cache/axe/node_modules/axe-core/axe.min.js to run the layout and accessibility tests")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("AXE_CORE_JS=%s: %v", path, err)
	}
	return string(b)
}

// axeViolations runs axe-core in the document of ctx and returns its
// serious and critical violations, one line each.
func axeViolations(t *testing.T, ctx context.Context, axe string) []string {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";\ntrue")); err != nil {
		t.Fatalf("loading axe-core: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then((r) =>
		r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) =>
			v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " (" + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160) + ")").join("; ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	return out
}

// layoutPage is a page the layout test renders: framed (src, loaded in
// the harness's frame) or opened by itself (top, the verify link).
type layoutPage struct {
	name     string
	src, top string
	// ready, when set, must hold in the page before it is checked.
	ready string
	// prepare, when set, runs in the page once it is ready (a choice
	// the recruiter makes) and returns what the test checks in it.
	prepare string
	check   func(t *testing.T, view, got string)
}

// layoutStack is the embed stack with data a recruiter meets: long and
// right-to-left names, many messages, templates with examples, several
// vacancies and their figures, the verify checklist.
type layoutStack struct {
	*embedStack
	harness      string
	long, rtl    carerixemu.Employee
	vacancy      carerixemu.Vacancy
	verifyToken  string
	expiredToken string
}

func startLayoutStack(t *testing.T) *layoutStack {
	t.Helper()
	ls := &layoutStack{harness: frameHarness(t)}
	realm := &embed.Realm{}
	var links *verify.Links
	ls.embedStack = startEmbedStack(t, func(st *embedStack, deps *server.Deps) {
		ctx := context.Background()
		st.tenant.FrameOrigins = append(st.tenant.FrameOrigins, ls.harness)
		st.tenant.Embed.SignInClientID = carerixemu.DefaultPublicClientID
		if err := st.db.UpdateTenant(ctx, st.tenant); err != nil {
			t.Fatal(err)
		}
		svc := messaging.New(messaging.Config{Store: st.db})
		deps.Embeds.Messenger, deps.Embeds.Broadcasts, deps.Embeds.SignIn = svc, svc, realm
		links = &verify.Links{Store: st.db, PublicURL: "http://127.0.0.1"}
		deps.Verify = server.VerifyDeps{Links: links, Checks: shownChecks{st.tenant}}
	})
	realm.PublicURL = ls.base
	ctx := context.Background()
	var err error
	if ls.verifyToken, err = links.IssueToken(ctx, ls.tenant); err != nil {
		t.Fatal(err)
	}
	old := &verify.Links{Store: ls.db, PublicURL: "http://127.0.0.1", Now: func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }}
	if ls.expiredToken, err = old.IssueToken(ctx, ls.tenant); err != nil {
		t.Fatal(err)
	}
	if ls.verifyToken, err = links.IssueToken(ctx, ls.tenant); err != nil { // the current link again
		t.Fatal(err)
	}
	ls.seed(t)
	return ls
}

// shownChecks is a checklist that last ran an hour ago with two checks
// failing, as an admin may find it.
type shownChecks struct{ tenant *recrubo.Tenant }

func (c shownChecks) Last(context.Context, *recrubo.Tenant) (*verify.Record, error) {
	at := time.Now().Add(-time.Hour)
	res := &verify.Result{Items: []verify.Item{
		{ID: verify.CheckCredentials, OK: true, Reason: "ok"},
		{ID: verify.CheckContract, OK: true, Reason: "ok", At: at, Args: []string{at.Format(time.RFC3339)}},
		{ID: verify.CheckWebhooks, OK: true, Reason: "round_trip", At: at, Args: []string{at.Format(time.RFC3339)}},
		{ID: verify.CheckTemplates, Reason: "outdated", Args: []string{"recrubo.inbox, recrubo.dashboard_vacature_overzicht_met_een_heel_lange_code"}},
		{ID: verify.CheckSync, Reason: "running"},
		{ID: verify.CheckOrigins, OK: true, Reason: "ok", Args: []string{"https://acme-uitzendbureau-noord-nederland.carerix.net"}},
		{ID: verify.CheckSample, OK: true, Reason: "ok", Args: []string{"Sanne Dijk"}, Link: "https://acme.carerix.net/record/candidate/1"},
	}}
	return &verify.Record{Result: res, By: "Eva de Boer (Carerix user 1)", At: at}, nil
}

func (c shownChecks) Run(ctx context.Context, t *recrubo.Tenant, _ string) (*verify.Record, time.Duration, error) {
	rec, err := c.Last(ctx, t)
	return rec, 0, err
}

// seed fills the mirror and the conversations.
func (ls *layoutStack) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tid := ls.tenant.ID
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	jan, err := ls.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("max"), FirstName: carerixemu.Str("Maximiliaan"),
		LastName: carerixemu.Str("van Oldenbarnevelt-Stuyvesant")})
	must(err)
	_, err = ls.db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tid, ID: jan.ID, FirstName: "Maximiliaan", LastName: "van Oldenbarnevelt-Stuyvesant",
		Active: true, ModifiedAt: jan.ModificationDate})
	must(err)
	employee := func(first, last, mobile string) carerixemu.Employee {
		e, err := ls.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str(first), LastName: carerixemu.Str(last),
			MobileNumber: carerixemu.Str(mobile), Status: carerixemu.Str("Actief"), Owner: carerixemu.Str(ls.user.ID)})
		must(err)
		phone, err := recrubo.NormalizePhone(mobile, "NL")
		must(err)
		_, err = ls.db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tid, ID: e.ID, FirstName: first, LastName: last, Mobile: mobile,
			PhoneE164: phone, Email: strings.ToLower(strings.ReplaceAll(first, " ", ".")) + ".met.een.heel.lang.adres@voorbeeld-uitzendbureau.nl",
			StatusLabel: "Actief", OwnerID: ls.user.ID, StableHash: e.StableHash, ModifiedAt: e.ModificationDate})
		must(err)
		return e
	}
	ls.long = employee("Anna-Maria Josephina Wilhelmina", "van den Heuvel-Schimmelpenninck van der Oye", "0687654321")
	ls.rtl = employee("ليلى", "حداد", "0611122233")
	vacancy := func(title string) carerixemu.Vacancy {
		v, err := ls.emu.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str(title), CompanyName: carerixemu.Str("Bouw BV"), Status: carerixemu.Str("Open")})
		must(err)
		_, err = ls.db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tid, ID: v.ID, Title: title, CompanyName: "Bouw en Infra Noord-Nederland BV",
			StatusLabel: "Open", StableHash: v.StableHash, ModifiedAt: v.ModificationDate})
		must(err)
		return v
	}
	ls.vacancy = vacancy("Heftruckchauffeur")
	long := vacancy("Medewerker klantenservice met Duits en Nederlands op hbo-niveau (32–40 uur, Utrecht)")
	ce1, ce2 := vacancy("Chauffeur CE"), vacancy("Chauffeur CE")
	matches := map[string][]string{ls.cand.ID: {ls.vacancy.ID, long.ID, ce1.ID}, ls.long.ID: {ls.vacancy.ID, ce2.ID}, ls.rtl.ID: {long.ID, ls.vacancy.ID}}
	for cand, vs := range matches {
		for i, v := range vs {
			_, err := ls.db.UpsertMatch(ctx, &recrubo.Match{TenantID: tid, ID: cand + "-" + v, CandidateID: cand, VacancyID: v,
				Stage: []string{"Voorgesteld", "Eerste gesprek bij de opdrachtgever", "Geplaatst"}[i%3], ModifiedAt: now})
			must(err)
		}
	}
	must(ls.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: tid, Name: "uitnodiging_gesprek", Language: "nl", Category: recrubo.CategoryUtility,
		Status: recrubo.TemplateApproved, Variables: 4,
		Body: "Hoi {{1}}, je bent uitgenodigd voor een gesprek over de vacature {{2}} op {{3}}. Kun je dan? Groet, {{4}}",
		Components: []recrubo.TemplateComponent{
			{Type: recrubo.ComponentHeader, Format: "text", Text: "Uitnodiging sollicitatiegesprek"},
			{Type: recrubo.ComponentBody, Text: "Hoi {{1}}, je bent uitgenodigd voor een gesprek over de vacature {{2}} op {{3}}. Kun je dan? Groet, {{4}}",
				Examples: []string{"Sanne", "Heftruckchauffeur", "dinsdag 3 maart om 10:00", "Eva"}},
			{Type: recrubo.ComponentFooter, Text: "Antwoord STOP om je af te melden"},
			{Type: recrubo.ComponentButtons, Buttons: []recrubo.TemplateButton{{Type: "quick_reply", Text: "Ja, dat past"}, {Type: "quick_reply", Text: "Ander moment"}}},
		}}))
	must(ls.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: tid, Name: "herinnering", Language: "nl", Category: recrubo.CategoryUtility,
		Status: recrubo.TemplateApproved, Variables: 1, Body: "Herinnering: {{1}}"}))
	must(ls.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: tid, Name: "nieuwe_vacature_met_foto", Language: "nl", Category: recrubo.CategoryMarketing,
		Status: recrubo.TemplateApproved, Variables: 0, Body: "Nieuwe vacature!",
		Components: []recrubo.TemplateComponent{{Type: recrubo.ComponentHeader, Format: "image"}, {Type: recrubo.ComponentBody, Text: "Nieuwe vacature!"}}}))

	// Sanne's conversation: the window is open, messages of every length.
	conv := &recrubo.Conversation{TenantID: tid, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678", CandidateID: ls.cand.ID,
		State: recrubo.ConversationOpen, AssigneeID: ls.user.ID}
	must(ls.db.SaveConversation(ctx, conv))
	msgs := []struct {
		in   bool
		ago  time.Duration
		body string
		st   recrubo.MessageStatus
	}{
		{false, 26 * time.Hour, "Hoi Sanne, ik zag je cv voorbij komen. Heb je interesse in een baan als heftruckchauffeur in Zwolle?", recrubo.StatusRead},
		{true, 25 * time.Hour, "Ja zeker! Wat zijn de werktijden?", recrubo.StatusReceived},
		{false, 3 * time.Hour, "Bekijk https://www.voorbeeld-uitzendbureau.nl/vacatures/heftruckchauffeur-zwolle-fulltime-ploegendienst-met-doorgroeimogelijkheden?utm_source=whatsapp", recrubo.StatusDelivered},
		{true, 2 * time.Hour, "مرحبا، أنا مهتمة بالوظيفة. هل يمكننا التحدث غدا؟", recrubo.StatusReceived},
		{false, time.Hour, "Prima, ik bel je morgen om 10:00.", recrubo.StatusFailed},
		{true, 10 * time.Minute, "Superlangwoordzonderspatiesdatnietafbreektomtezienofdebubbelhetkaderverlaat1234567890", recrubo.StatusReceived},
	}
	for i, m := range msgs {
		msg := &recrubo.Message{TenantID: tid, ConversationID: conv.ID, Body: m.body, Status: m.st, CreatedAt: now.Add(-m.ago),
			ProviderID: fmt.Sprintf("wamid.layout.%d", i)}
		if m.in {
			msg.Direction = recrubo.Inbound
			conv.LastInboundAt = msg.CreatedAt
		} else {
			msg.Direction, msg.SenderID, msg.SendAttempt = recrubo.Outbound, ls.user.ID, 1
			conv.LastOutboundAt = msg.CreatedAt
			if m.st == recrubo.StatusFailed {
				msg.FailReason = "131026: Message undeliverable"
			}
		}
		_, err := ls.db.AddMessage(ctx, msg)
		must(err)
		conv.LastMessageAt, conv.LastMessagePreview = msg.CreatedAt, m.body
	}
	must(ls.db.SaveConversation(ctx, conv))
	must(ls.db.AddCost(ctx, tid, conv.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.0456"), now.Add(-26*time.Hour)))

	// The right-to-left candidate wrote yesterday; nobody has it.
	rc := &recrubo.Conversation{TenantID: tid, Channel: recrubo.ChannelWhatsApp, Phone: "+31611122233", CandidateID: ls.rtl.ID,
		State: recrubo.ConversationOpen, LastInboundAt: now.Add(-30 * time.Hour), LastMessageAt: now.Add(-30 * time.Hour),
		LastMessagePreview: "شكرا جزيلا على الرسالة، سأتصل بك قريبا"}
	must(ls.db.SaveConversation(ctx, rc))
	_, err = ls.db.AddMessage(ctx, &recrubo.Message{TenantID: tid, ConversationID: rc.ID, Direction: recrubo.Inbound, Body: rc.LastMessagePreview,
		Status: recrubo.StatusReceived, CreatedAt: rc.LastMessageAt, ProviderID: "wamid.layout.rtl"})
	must(err)
	// An unmatched number wrote a week ago and the conversation is closed.
	uc := &recrubo.Conversation{TenantID: tid, Channel: recrubo.ChannelWhatsApp, Phone: "+4915112345678", State: recrubo.ConversationClosed,
		LastInboundAt: now.Add(-8 * 24 * time.Hour), LastMessageAt: now.Add(-8 * 24 * time.Hour), LastMessagePreview: "Hallo?"}
	must(ls.db.SaveConversation(ctx, uc))
	_, err = ls.db.AddMessage(ctx, &recrubo.Message{TenantID: tid, ConversationID: uc.ID, Direction: recrubo.Inbound, Body: "Hallo?",
		Status: recrubo.StatusReceived, CreatedAt: uc.LastMessageAt, ProviderID: "wamid.layout.unmatched"})
	must(err)
}

// framedURL is a page of ours with the proof Carerix writes for the user.
func (ls *layoutStack) framedURL(path string, q url.Values) string {
	q.Set("u", ls.user.ID)
	q.Set("uh", ls.user.StableHash)
	q.Set("lang", "nl")
	return ls.base + "/embed/acme/" + path + "?" + q.Encode()
}

func (ls *layoutStack) pages(t *testing.T) []layoutPage {
	t.Helper()
	dk, err := embed.PageKey(ls.tenant)
	if err != nil {
		t.Fatal(err)
	}
	ready := `document.documentElement.dataset.ready === "true"`
	return []layoutPage{
		{name: "inbox", src: ls.framedURL("candidate/"+ls.cand.ID, url.Values{"rh": {ls.cand.StableHash}}), ready: ready},
		{name: "inbox-template", src: ls.framedURL("candidate/"+ls.long.ID, url.Values{"rh": {ls.long.StableHash}}), ready: ready},
		{name: "inbox-template-chosen", src: ls.framedURL("candidate/"+ls.long.ID, url.Values{"rh": {ls.long.StableHash}}), ready: ready,
			prepare: chooseTemplate, check: func(t *testing.T, view, got string) {
				// The preview is the message the send stores and WhatsApp
				// delivers: the template rendered with the values typed.
				want := (&recrubo.MessageTemplate{Body: "Hoi {{1}}, je bent uitgenodigd voor een gesprek over de vacature {{2}} op {{3}}. Kun je dan? Groet, {{4}}",
					Components: []recrubo.TemplateComponent{{Type: recrubo.ComponentHeader, Format: "text", Text: "Uitnodiging sollicitatiegesprek"}}}).
					Render([]string{"Anna-Maria", "Heftruckchauffeur", "", ""})
				want = strings.Replace(strings.Replace(want, "op .", "op dinsdag 3 maart om 10:00.", 1), "Groet, ", "Groet, Eva", 1)
				if got != want {
					t.Errorf("%s: the preview reads %q, want %q", view, got, want)
				}
			}},
		{name: "inbox-rtl", src: ls.framedURL("candidate/"+ls.rtl.ID, url.Values{"rh": {ls.rtl.StableHash}}), ready: ready},
		{name: "conversations", src: ls.framedURL("conversations", url.Values{"dk": {dk}, "view": {"all"}}), ready: ready},
		{name: "dashboard", src: ls.framedURL("dashboard", url.Values{"dk": {dk}}), ready: ready},
		{name: "vacancy", src: ls.framedURL("vacancy/"+ls.vacancy.ID, url.Values{"rh": {ls.vacancy.StableHash}}), ready: ready},
		{name: "vacancy-broadcast", src: ls.framedURL("vacancy/"+ls.vacancy.ID+"/broadcast", url.Values{"rh": {ls.vacancy.StableHash}}), ready: ready},
		{name: "signin", src: ls.base + "/embed/acme/candidate/" + ls.cand.ID + "?u=" + ls.user.ID + "&lang=nl", ready: ready},
		{name: "error", src: ls.framedURL("candidate/"+ls.cand.ID, url.Values{"rh": {"wrong"}})},
		{name: "verify", top: ls.base + "/verify/" + ls.verifyToken},
		{name: "verify-expired", top: ls.base + "/verify/" + ls.expiredToken},
	}
}

// TestPagesFitTheirFrameInBrowser renders every page at each of
// frameWidths in Chromium: the document is no wider than its frame,
// nothing overflows its box, chart labels stay inside their charts, and
// axe-core finds no serious or critical accessibility violation. It
// writes a screenshot of each (TEST_ARTIFACTS keeps them).
func TestPagesFitTheirFrameInBrowser(t *testing.T) {
	axe := axeSource(t)
	ctx := embedChromium(t)
	ls := startLayoutStack(t)
	dir := embedArtifacts(t)
	for _, p := range ls.pages(t) {
		for _, w := range frameWidths {
			view := fmt.Sprintf("%s-%d", p.name, w)
			doc := ls.show(t, ctx, p, w, view)
			if p.prepare != "" {
				got, err := chromedp.Run(doc, chromedp.Evaluate[string](p.prepare))
				if err != nil {
					t.Fatalf("%s: %v", view, err)
				}
				p.check(t, view, got)
			}
			if probs, err := chromedp.Run(doc, chromedp.Evaluate[[]string](layoutProblems)); err != nil {
				t.Errorf("%s: checking the layout: %v", view, err)
			} else if len(probs) > 0 {
				t.Errorf("%s does not fit its %d px frame:\n  %s", view, w, strings.Join(probs, "\n  "))
			}
			if v := axeViolations(t, doc, axe); len(v) > 0 {
				t.Errorf("%s: axe-core reports:\n  %s", view, strings.Join(v, "\n  "))
			}
			ls.screenshot(t, ctx, doc, p, w, filepath.Join(dir, "layout-"+view+".png"))
		}
	}
}

// show loads p at width w and returns the context of its document.
func (ls *layoutStack) show(t *testing.T, ctx context.Context, p layoutPage, w int, view string) context.Context {
	t.Helper()
	if p.top != "" {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), 900), chromedp.Navigate(p.top),
			chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatalf("%s: opening %s: %v", view, p.top, err)
		}
		return ctx
	}
	if err := chromedp.Do(ctx, chromedp.EmulateReset()); err != nil {
		t.Fatal(err)
	}
	src := p.src + "&_view=" + view
	ls.open(t, ctx, ls.harness+"/?"+url.Values{"w": {fmt.Sprint(w)}, "src": {src}}.Encode())
	frame := ls.frame(t, ctx)
	cond := `location.search.includes(` + fmt.Sprintf("%q", view) + `) && document.readyState === "complete"`
	if p.ready != "" {
		cond += " && " + p.ready
	}
	waitFrame(t, frame, cond, 15*time.Second)
	return frame
}

// screenshot writes what the page shows: the frame grown to the page's
// height, or the whole top-level page.
func (ls *layoutStack) screenshot(t *testing.T, ctx, doc context.Context, p layoutPage, w int, path string) {
	t.Helper()
	var png []byte
	var err error
	if p.top != "" {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	} else {
		h, herr := chromedp.Run(doc, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		if herr != nil {
			t.Errorf("measuring %s: %v", path, herr)
			return
		}
		h = min(max(h, 760), 6000)
		// The window as tall as the frame: Chromium paints a frame's
		// document only where the window shows it.
		if err = chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err == nil {
			_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById("recrubo").height = "%d", true`, h)))
		}
		if err == nil {
			waitFrame(t, doc, fmt.Sprintf(`window.innerHeight === %d`, h), 5*time.Second)
			png, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#recrubo")))
		}
	}
	if err != nil {
		t.Errorf("screenshot %s: %v", path, err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Error(err)
	}
}

// chooseTemplate picks the invitation in the inbox's template picker and
// types two of its four values; the other two stay empty, so the preview
// shows their examples. It returns the preview's message text.
const chooseTemplate = `(() => {
	const f = document.querySelector('form[data-form="send-template"]');
	const s = f.elements.template;
	s.value = "uitnodiging_gesprek|nl";
	s.dispatchEvent(new Event("change"));
	const inputs = f.querySelectorAll("fieldset:not([hidden]) [data-var]");
	inputs[0].value = "Anna-Maria";
	inputs[1].value = "Heftruckchauffeur";
	inputs.forEach((i) => i.dispatchEvent(new Event("input", {bubbles: true})));
	const m = f.querySelector("[data-preview]:not([hidden]) [data-preview-message]");
	return m.querySelector(".preview-header").textContent + "\n" + m.querySelector(".preview-body").textContent;
})()`

// TestExpiredVerifyLinkInBrowser: an admin who opens an expired verify
// link reads, in the Dutch tenant's language, that it no longer works and
// how to get a new one (the command included); a link cut short, which
// names no tenant, reads the same in the browser's language. Neither is
// the JSON an API answers with.
func TestExpiredVerifyLinkInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	ls := startLayoutStack(t)
	dir := embedArtifacts(t)
	read := func(link string) (lang, heading, steps, body string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(ls.base+"/verify/"+link), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatalf("opening the verify link: %v", err)
		}
		out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.documentElement.lang,
			document.querySelector("main h1")?.textContent.trim() || "",
			[...document.querySelectorAll(".error-next li")].map((li) => li.textContent.replace(/\s+/g, " ").trim()).join("\n"),
			document.body.innerText]`))
		if err != nil || len(out) != 4 {
			t.Fatalf("reading the page: %v %q", err, out)
		}
		return out[0], out[1], out[2], out[3]
	}
	lang, heading, steps, body := read(ls.expiredToken)
	if lang != "nl" || !strings.HasPrefix(heading, "Deze controlelink werkt niet") {
		t.Errorf("the expired link's page is %s, headed %q:\n%s", lang, heading, body)
	}
	if !strings.Contains(body, "De link is verlopen (een controlelink werkt 7 dagen)") ||
		!strings.Contains(steps, "Vraag anders je contactpersoon bij Recrubo om een nieuwe link") ||
		!strings.Contains(steps, "recrubo-carerix tenant verify-link --tenant acme") {
		t.Errorf("the expired link's page does not say what happened and what to do:\n%s", body)
	}
	if strings.Contains(body, `"error"`) || strings.Contains(body, "Forbidden") {
		t.Errorf("the expired link answers JSON:\n%s", body)
	}
	embedScreenshot(t, ctx, dir, "verify-link-expired.png")

	lang, heading, steps, body = read(ls.verifyToken[:len(ls.verifyToken)-10])
	if lang != "en" || !strings.HasPrefix(heading, "This verify link does not work") || !strings.Contains(steps, "copy the whole link") {
		t.Errorf("a link cut short reads %s %q:\n%s", lang, heading, body)
	}
}
