package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/templates"
)

// hostile breaks out of every context it could land in: text, quoted
// attributes of both kinds, URLs and JS strings.
const hostile = `</script><script>alert(1)</script>"'><img src=x onerror=alert(2)>javascript:alert(3)\u2028&amp;`

// assertInert fails when doc holds anything the page did not write
// itself: extra scripts, event handlers, images, javascript: URLs.
func assertInert(t *testing.T, name string, doc *goquery.Document) {
	t.Helper()
	if n := doc.Find("script").Length(); n > 2 {
		t.Errorf("%s: %d script elements", name, n)
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if typ := s.AttrOr("type", ""); typ != "module" && typ != "application/json" {
			t.Errorf("%s: script of type %q", name, typ)
		}
	})
	if n := doc.Find("img, iframe, object, embed, b, i").Length(); n > 0 {
		t.Errorf("%s: %d injected elements", name, n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("%s: event handler attribute %s on <%s>", name, a.Key, s.Nodes[0].Data)
			}
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("%s: %s=%q", name, a.Key, a.Val)
			}
		}
	})
	if raw := doc.Find("#embed-data").Text(); raw != "" && !json.Valid([]byte(raw)) {
		t.Errorf("%s: the JSON block no longer parses: %s", name, raw)
	}
}

// TestEmbedTemplatesEscapeEveryContext renders each embed page and
// partial with the hostile string in every value: whatever context a
// value lands in (text, attribute, URL, URL part, JS string), it stays
// data.
func TestEmbedTemplatesEscapeEveryContext(t *testing.T) {
	reg, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	nested := hostilePartials(t, reg)
	for _, page := range []string{"inbox", "conversations", "dashboard"} {
		var buf bytes.Buffer
		fill(t, page, func(v templates.Values) error {
			buf.Reset()
			return reg.Render(&buf, page, v)
		}, nested)
		doc, _ := goquery.NewDocumentFromReader(&buf)
		assertInert(t, page, doc)
		var data map[string]string
		if err := json.Unmarshal([]byte(doc.Find("#embed-data").Text()), &data); err != nil || data["token"] != hostile {
			t.Errorf("%s: the JSON block lost the value: %v %q", page, err, data["token"])
		}
	}
}

// placeholderInError finds the placeholder a render error names.
var placeholderInError = regexp.MustCompile(`\{\{(raw:)?([A-Za-z0-9_]+)\}\}`)

// fill calls render with more values until it succeeds: hostile text for
// escaped placeholders, nested for raw ones.
func fill(t *testing.T, name string, render func(templates.Values) error, nested templates.HTML) {
	t.Helper()
	v := templates.Values{}
	for range 100 {
		err := render(v)
		if err == nil {
			return
		}
		m := placeholderInError.FindStringSubmatch(err.Error())
		switch {
		case m == nil:
			t.Fatalf("%s: %v", name, err)
		case m[1] != "":
			v[m[2]] = nested
		default:
			v[m[2]] = hostile
		}
	}
	t.Fatalf("%s: too many placeholders", name)
}

// hostilePartials renders every embed partial with hostile values.
func hostilePartials(t *testing.T, reg *templates.Registry) templates.HTML {
	t.Helper()
	var out []templates.HTML
	for _, p := range reg.Partials() {
		if !strings.HasPrefix(p, "embed_") {
			continue
		}
		fill(t, p, func(v templates.Values) error {
			h, err := reg.RenderHTML(p, v)
			if err == nil {
				out = append(out, h)
			}
			return err
		}, templates.TrustedHTML("<span>nested</span>"))
	}
	return templates.Join(out)
}

// TestEmbedHostileSeedRendersAsText seeds the Carerix emulator with its
// hostile values, syncs them and renders every page that shows them.
func TestEmbedHostileSeedRendersAsText(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()
	res, err := f.emu.Seed(ctx, carerixemu.SeedOptions{Candidates: 100, Vacancies: 30, Matches: 150, Recruiters: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range res.Users {
		u, _ := f.emu.User(id)
		f.syncUser(u)
	}
	for _, id := range res.Vacancies {
		v, _ := f.emu.Vacancy(id)
		f.syncVacancy(v)
	}
	for i, id := range res.Matches {
		m, _ := f.emu.Match(id)
		if _, err := f.db.UpsertMatch(ctx, &recrubo.Match{TenantID: f.tenant.ID, ID: m.ID, CandidateID: strconv.Itoa(m.EmployeeID),
			VacancyID: strconv.Itoa(m.VacancyID), Stage: []string{"Voorgesteld", `<b>"stage"</b>`}[i%2], ModifiedAt: f.now}); err != nil {
			t.Fatal(err)
		}
	}
	checked, sawScript := 0, false
	for i, id := range res.Candidates {
		e, err := f.emu.Employee(id)
		if err != nil || e.Deleted || i%carerixemu.HostileEvery != carerixemu.HostileEvery/2 {
			continue
		}
		c := f.syncCandidate(e)
		f.cand = e
		if c.PhoneE164 != "" {
			f.startConversation(time.Hour)
			f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: c.FirstName + " " + hostile, Status: recrubo.StatusReceived,
				CreatedAt: f.now, ProviderID: "wamid.h" + id})
			f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.viewer.ID, Body: "x", Status: recrubo.StatusFailed,
				FailReason: hostile, CreatedAt: f.now, ProviderID: "wamid.f" + id, SendAttempt: 1})
		}
		for _, lang := range []string{"nl", "en"} {
			_, doc := f.page(f.candidateURL(lang))
			assertInert(t, "inbox of "+id, doc)
			if got := doc.Find(".candidate-name").Text(); got != c.FullName() {
				t.Errorf("candidate %s: name shown as %q, want %q", id, got, c.FullName())
			}
		}
		checked++
		if strings.Contains(c.FirstName, "<script>") {
			sawScript = true
		}
	}
	if checked < 6 || !sawScript {
		t.Fatalf("only %d hostile candidates rendered (a <script> name among them: %v)", checked, sawScript)
	}
	_, doc := f.page(f.dashboardURL("nl") + "&days=90")
	assertInert(t, "dashboard", doc)
	_, doc = f.page(f.conversationsURL(url.Values{"view": {"all"}, "q": {hostile[:40]}}))
	assertInert(t, "conversations", doc)
	if got := doc.Find(`input[name="q"]`).AttrOr("value", ""); got != hostile[:40] {
		t.Errorf("search value = %q", got)
	}
}

// TestEmbedRawPhoneIsEscapedInURL shows a phone number that is not
// usable as typed, inside a tel: link.
func TestEmbedRawPhoneIsEscapedInURL(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	e, err := f.emu.CreateEmployee(context.Background(), carerixemu.EmployeeFields{FirstName: carerixemu.Str("Tel"),
		MobileNumber: carerixemu.Str(`"><img src=x onerror=alert(1)>`)})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(e)
	f.cand = e
	_, doc := f.page(f.candidateURL("nl"))
	assertInert(t, "inbox", doc)
	a := doc.Find(`.candidate-panel a[href^="tel:"]`)
	if a.Text() != `"><img src=x onerror=alert(1)>` || !strings.HasPrefix(a.AttrOr("href", ""), "tel:%22%3E%3Cimg") {
		t.Errorf("phone link = %q %q", a.AttrOr("href", ""), a.Text())
	}
}
