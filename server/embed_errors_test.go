package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// errorPage checks that a failed page load answered the error page with
// status, in lang, saying message, and framable by frame alone ("'none'"
// or the tenant's origins).
func errorPage(t *testing.T, name string, resp *http.Response, body string, status int, lang, message, frame string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want the HTML error page: %s", name, ct, body)
		return
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Find("html").AttrOr("lang", ""); got != lang {
		t.Errorf("%s: lang %q, want %q", name, got, lang)
	}
	card := doc.Find(`section.card.error[role="alert"]`)
	if got := strings.TrimSpace(card.Find("p").First().Text()); got != message {
		t.Errorf("%s: message %q, want %q", name, got, message)
	}
	if got := card.Find("h1 .muted").Text(); got != strconv.Itoa(status) {
		t.Errorf("%s: status shown %q", name, got)
	}
	if rid := resp.Header.Get("X-Request-ID"); rid == "" || card.Find("code").Text() != rid {
		t.Errorf("%s: request id %q, header %q", name, card.Find("code").Text(), rid)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "; frame-ancestors "+frame) {
		t.Errorf("%s: CSP %q, want frame-ancestors %s", name, csp, frame)
	}
	xfo := resp.Header.Get("X-Frame-Options")
	if frame == "'none'" && xfo != "DENY" || frame != "'none'" && xfo != "" {
		t.Errorf("%s: X-Frame-Options %q with frame-ancestors %s", name, xfo, frame)
	}
	if s := doc.Find(`script[type="module"]`); s.AttrOr("nonce", "") == "" || !strings.Contains(csp, "'nonce-"+s.AttrOr("nonce", "")+"'") {
		t.Errorf("%s: page script carries no nonce matching the CSP", name)
	}
}

// failingData is the store with one read failing, as when the database
// goes away mid-request.
type failingData struct {
	EmbedData
}

func (failingData) Recruiters(context.Context, string) ([]*recrubo.Recruiter, error) {
	return nil, errors.New("pq: connection to 10.0.0.7 lost")
}

func TestEmbedPageErrorsShowInTheFrame(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	origin := f.tenant.FrameOrigins[0]

	// A bad period: the tenant's frame, the URL's language; the tenant's
	// language (nl) when the URL names none, English for one we do not
	// speak.
	for lang, want := range map[string][2]string{
		"nl":      {"nl", "De periode moet 7, 30 of 90 dagen zijn."},
		"en":      {"en", "The period must be 7, 30 or 90 days."},
		"Dutch":   {"nl", "De periode moet 7, 30 of 90 dagen zijn."},
		"Klingon": {"en", "The period must be 7, 30 or 90 days."},
		"":        {"nl", "De periode moet 7, 30 of 90 dagen zijn."},
	} {
		resp, body := f.do(f.framed(f.dashboardURL(lang) + "&days=12"))
		errorPage(t, "days=12 lang="+lang, resp, body, 400, want[0], want[1], origin)
	}

	// Refused proofs: one message for every failure, in the frame when
	// the tenant exists; an unknown tenant's refusal may not be framed.
	u := f.candidateURL("nl")
	badHash := strings.Replace(u, "rh="+f.cand.StableHash, "rh="+strings.Repeat("0", 64), 1)
	resp, body := f.do(f.framed(badHash))
	errorPage(t, "bad record hash", resp, body, 403, "nl", "Je hebt geen toegang tot deze pagina.", origin)
	resp, body = f.do(f.framed(strings.Replace(u, "/acme/", "/nope/", 1)))
	errorPage(t, "unknown tenant", resp, body, 403, "nl", "Je hebt geen toegang tot deze pagina.", "'none'")
	resp, body = f.do(f.framed(strings.Replace(f.candidateURL(""), "/acme/", "/nope/", 1)))
	errorPage(t, "unknown tenant, no language", resp, body, 403, "en", "You do not have access to this page.", "'none'")

	// An internal failure says nothing of its cause.
	broken := newEmbedServerClock(t, f.db, func() time.Time { return f.now }, func(d *Deps) {
		d.Embeds.Data = failingData{EmbedData: d.Embeds.Data}
	})
	srv := f.srv
	f.srv = broken
	resp, body = f.do(f.framed(f.candidateURL("nl")))
	errorPage(t, "internal", resp, body, 500, "nl", "Er is een interne fout opgetreden. Probeer het later opnieuw.", origin)
	if strings.Contains(body, "10.0.0.7") || strings.Contains(body, "pq:") {
		t.Errorf("the error page shows the cause: %s", body)
	}
	f.srv = srv

	// Carerix down while a proof needs it: 503, try again.
	if err := f.emu.Close(); err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(f.candidateURL("en"), "uh="+f.viewer.StableHash, "uh=stale"+f.viewer.StableHash[5:], 1)
	resp, body = f.do(f.framed(stale))
	errorPage(t, "Carerix down", resp, body, 503, "en", "Carerix cannot be reached right now. Please try again in a moment.", origin)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

// apiError sends an API request and returns its status and error message.
func (f *embedFixture) apiError(method, target, token, body string) (int, string) {
	f.t.Helper()
	resp, out := f.api(method, target, token, body)
	var eb errorBody
	if err := jsonUnmarshal(out, &eb); err != nil {
		f.t.Fatalf("%s %s = %d, not JSON: %s", method, target, resp.StatusCode, out)
	}
	return resp.StatusCode, eb.Error
}

func TestEmbedAPIErrorsInSessionLanguage(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	base := "/embed/acme/api/candidate/" + f.cand.ID
	tokens := map[string]string{}
	for _, lang := range []string{"nl", "en"} {
		_, doc := f.page(f.candidateURL(lang))
		tokens[lang] = pageToken(t, doc)
	}
	cases := []struct {
		name, method, target, body string
		status                     int
		nl, en                     string
	}{
		{"empty message", "POST", base + "/send", `{"body":"  "}`, 400, "Schrijf eerst een bericht.", "Write a message first."},
		{"too long", "POST", base + "/send", `{"body":"` + strings.Repeat("x", 4097) + `"}`, 400,
			"Het bericht is langer dan 4096 tekens.", "The message is longer than 4096 characters."},
		{"unknown state", "POST", base + "/state", `{"state":"archived"}`, 400, "De status moet open of gesloten zijn.", "The state must be open or closed."},
		{"not JSON", "POST", base + "/state", `state=closed`, 400, "Het verzoek is ongeldig.", "The request is not valid."},
		{"empty template value", "POST", base + "/send", `{"template":"vacature_update|nl","vars":["Sanne"," "]}`, 400,
			"Vul variabele 2 van het sjabloon in.", "Fill in variable 2 of the template."},
		{"retry of an unknown message", "POST", base + "/messages/nope/retry", `{}`, 404, "Dit bericht bestaat niet.", "No such message."},
		{"unknown recruiter", "POST", base + "/assign", `{"assignee":"424242"}`, 400, "Kies een recruiter uit de lijst.", "Choose a recruiter from the list."},
		{"unknown view", "GET", "/embed/acme/api/conversations?view=everything", "", 400,
			"De weergave moet 'Mijn gesprekken', 'Niet toegewezen' of 'Alle' zijn.", "The view must be mine, unassigned or all."},
	}
	for _, c := range cases {
		for lang, want := range map[string]string{"nl": c.nl, "en": c.en} {
			status, msg := f.apiError(c.method, c.target, tokens[lang], c.body)
			if status != c.status || msg != want {
				t.Errorf("%s (%s): %d %q, want %d %q", c.name, lang, status, msg, c.status, want)
			}
		}
	}

	// Refusals of the messaging service, as a recruiter meets them.
	ctx := context.Background()
	c, err := f.db.Candidate(ctx, f.tenant.ID, f.cand.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveConsent(ctx, &recrubo.Consent{TenantID: f.tenant.ID, Phone: c.PhoneE164, OptedOut: true, Source: "stop-keyword", At: f.now}); err != nil {
		t.Fatal(err)
	}
	if status, msg := f.apiError("POST", base+"/send", tokens["nl"], `{"body":"Hoi"}`); status != 403 ||
		msg != "De kandidaat heeft zich op 24 november 2026 afgemeld voor WhatsApp-berichten." {
		t.Errorf("opted out (nl): %d %q, want the date written out", status, msg)
	}
	if status, msg := f.apiError("POST", base+"/send", tokens["en"], `{"body":"Hoi"}`); status != 403 ||
		msg != "The candidate opted out of WhatsApp messages on 24 November 2026." {
		t.Errorf("opted out (en): %d %q, want the date written out", status, msg)
	}
	if err := f.db.SaveConsent(ctx, &recrubo.Consent{TenantID: f.tenant.ID, Phone: c.PhoneE164, OptedOut: false, Source: "recruiter", At: f.now}); err != nil {
		t.Fatal(err)
	}
	f.srv = newEmbedServer(t, f.db, f.now.Add(24*time.Hour)) // the window closes; the tokens last
	f.now = f.now.Add(24 * time.Hour)
	_, doc := f.page(f.candidateURL("nl"))
	if status, msg := f.apiError("POST", base+"/send", pageToken(t, doc), `{"body":"Hoi"}`); status != 400 ||
		msg != "De kandidaat heeft de afgelopen 24 uur niet geschreven: voor dit bericht is een sjabloon nodig." {
		t.Errorf("window closed (nl): %d %q", status, msg)
	}

	// Before a session is proved there is no language to speak.
	if status, msg := f.apiError("GET", base+"/thread", "", ""); status != 401 || msg != "Your session has expired. Reload the page." {
		t.Errorf("no token: %d %q", status, msg)
	}
}

// TestFiberErrorsAreTranslated: the errors Fiber makes itself (no such
// route, a wrong method, a body over the limit) reach a user in their
// language like the application's own.
func TestFiberErrorsAreTranslated(t *testing.T) {
	_, cat, _, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{deps: Deps{Catalog: cat}}
	for in, want := range map[error][2]string{
		fiber.ErrNotFound:              {"This page does not exist.", "Deze pagina bestaat niet."},
		fiber.ErrMethodNotAllowed:      {"This action is not allowed here.", "Deze actie is hier niet toegestaan."},
		fiber.ErrRequestEntityTooLarge: {"The request is too large.", "Het verzoek is te groot."},
		fiber.ErrBadGateway:            {"An internal error occurred. Please try again later.", "Er is een interne fout opgetreden. Probeer het later opnieuw."},
		errors.New("a bug"):            {"An internal error occurred. Please try again later.", "Er is een interne fout opgetreden. Probeer het later opnieuw."},
	} {
		_, e := classify(in)
		for i, lang := range []string{"en", "nl"} {
			if got := s.translateError(lang, e); got != want[i] {
				t.Errorf("%v in %s = %q, want %q", in, lang, got, want[i])
			}
		}
	}
}

func TestEmbedSessionEndsAfterMaxAge(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	start := f.now
	clock := start
	f.srv = newEmbedServerClock(t, f.db, func() time.Time { return clock })
	thread := "/embed/acme/api/candidate/" + f.cand.ID + "/thread"

	// The page refreshes every 10 minutes: each refresh works, and none
	// reaches past SessionMaxAge from the page load.
	var expires int64
	for clock = start.Add(10 * time.Minute); clock.Before(start.Add(embed.SessionMaxAge)); clock = clock.Add(10 * time.Minute) {
		resp, body := f.api("POST", "/embed/acme/api/token", token, "")
		var out struct {
			Token   string `json:"token"`
			Expires int64  `json:"expires"`
		}
		if resp.StatusCode != 200 || jsonUnmarshal(body, &out) != nil || out.Token == "" {
			t.Fatalf("refresh after %v = %d %s", clock.Sub(start), resp.StatusCode, body)
		}
		if out.Expires > start.Add(embed.SessionMaxAge).Unix() {
			t.Fatalf("refresh after %v expires %v after the page load", clock.Sub(start), time.Unix(out.Expires, 0).Sub(start))
		}
		token, expires = out.Token, out.Expires
	}
	if want := start.Add(embed.SessionMaxAge).Unix(); expires != want {
		t.Errorf("the last token expires %v after the page load, want %v", time.Unix(expires, 0).Sub(start), embed.SessionMaxAge)
	}
	clock = start.Add(embed.SessionMaxAge - time.Minute)
	if resp, body := f.api("GET", thread, token, ""); resp.StatusCode != 200 {
		t.Fatalf("thread with the last token before the limit = %d %s", resp.StatusCode, body)
	}

	// A refresh just before the limit still works but ends with it.
	clock = start.Add(embed.SessionMaxAge - time.Second)
	resp, body := f.api("POST", "/embed/acme/api/token", token, "")
	var last struct {
		Token   string `json:"token"`
		Expires int64  `json:"expires"`
	}
	if resp.StatusCode != 200 || jsonUnmarshal(body, &last) != nil || last.Expires != start.Add(embed.SessionMaxAge).Unix() {
		t.Fatalf("refresh a second before the limit = %d %s, want a token ending at the limit", resp.StatusCode, body)
	}

	// At the limit every token of the session is refused with a 401,
	// which the page turns into "reload", said in the session's language.
	clock = start.Add(embed.SessionMaxAge)
	for _, tok := range []string{token, last.Token} {
		if status, msg := f.apiError("POST", "/embed/acme/api/token", tok, ""); status != 401 || msg != "Je sessie is verlopen. Laad de pagina opnieuw." {
			t.Errorf("refresh at the limit = %d %q, want 401 in Dutch", status, msg)
		}
		if resp, _ := f.api("GET", thread, tok, ""); resp.StatusCode != 401 {
			t.Errorf("thread at the limit = %d, want 401", resp.StatusCode)
		}
	}

	// Loading the page again (Carerix's proof) starts a new session.
	f.now = clock
	_, doc = f.page(f.candidateURL("nl"))
	fresh := pageToken(t, doc)
	clock = clock.Add(10 * time.Minute)
	if resp, body := f.api("POST", "/embed/acme/api/token", fresh, ""); resp.StatusCode != 200 {
		t.Errorf("refresh of a reloaded page = %d %s", resp.StatusCode, body)
	}
}

func TestEmbedTemplateWithSevenVariables(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(25 * time.Hour) // outside the window: templates only
	ctx := context.Background()
	for name, n := range map[string]int{"intake": 7, "too_many": maxVars + 1} {
		var body []string
		for i := 1; i <= n; i++ {
			body = append(body, fmt.Sprintf("{{%d}}", i))
		}
		if err := f.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: f.tenant.ID, Name: name, Language: "en",
			Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved, Body: strings.Join(body, " / "), Variables: n}); err != nil {
			t.Fatal(err)
		}
	}
	_, doc := f.page(f.candidateURL("en"))
	form := doc.Find(`form[data-form="send-template"]`)
	if form.Find(`option[value="intake|en"]`).AttrOr("data-vars", "") != "7" {
		t.Errorf("the 7-variable template is not offered with its count: %q", form.Find(`select`).Text())
	}
	if form.Find(`option[value="too_many|en"]`).Length() != 0 {
		t.Errorf("a template with more than %d variables is offered, which could never be sent", maxVars)
	}
	// Each offered template has its own inputs, labelled from its text.
	inputs := form.Find(`fieldset[data-template="intake|en"] input[name="var"]`)
	if inputs.Length() != 7 {
		t.Fatalf("%d variable inputs for the 7-variable template, want 7", inputs.Length())
	}
	inputs.Each(func(i int, s *goquery.Selection) {
		label := strings.Join(strings.Fields(s.Parent().Find(".var-label").Text()), " ")
		if s.AttrOr("data-var", "") != strconv.Itoa(i+1) || s.AttrOr("maxlength", "") != strconv.Itoa(maxVarRunes) || label == "" {
			t.Errorf("input %d: data-var %q maxlength %q label %q", i, s.AttrOr("data-var", ""), s.AttrOr("maxlength", ""), label)
		}
	})

	token := pageToken(t, doc)
	base := "/embed/acme/api/candidate/" + f.cand.ID
	vars := []string{"Sanne", "dinsdag", "10:00", "Zwolle", "Eva", "Heftruckchauffeur", "Bouw BV"}
	resp, body := f.api("POST", base+"/send", token, `{"template":"intake|en","vars":["`+strings.Join(vars, `","`)+`"]}`)
	if resp.StatusCode != 200 || !strings.Contains(body, strings.Join(vars, " / ")) {
		t.Fatalf("send with 7 variables = %d %s", resp.StatusCode, body)
	}
	msgs, err := f.db.Messages(ctx, f.tenant.ID, f.conv.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.TemplateName != "intake" || !slices.Equal(last.TemplateVars, vars) || last.Status != recrubo.StatusQueued {
		t.Errorf("stored message = %q %q %s", last.TemplateName, last.TemplateVars, last.Status)
	}
	eleven := `{"template":"too_many|en","vars":["1","2","3","4","5","6","7","8","9","10","11"]}`
	if status, msg := f.apiError("POST", base+"/send", token, eleven); status != 400 || msg != "A template has at most 10 variables." {
		t.Errorf("send with 11 variables = %d %q", status, msg)
	}
}
