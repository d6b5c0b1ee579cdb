package templates_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/recrubo/recrubo-carerix/templates"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

type candidate struct {
	id   int
	name string
	at   time.Time
}

// helloValues builds the values for the hello example page the way a
// handler would: layout values, translated text, formatted dates and a
// rendered list.
func helloValues(t *testing.T, r *templates.Registry, c *templates.Catalog, lang, name, query, profileURL string, cands []candidate) templates.Values {
	t.Helper()
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatalf("loading time zone: %v", err)
	}
	var items []templates.HTML
	for _, cand := range cands {
		h, err := r.RenderHTML("hello_item", templates.Values{
			"id":   cand.id,
			"name": cand.name,
			"when": templates.FormatDateShort(lang, cand.at, ams),
		})
		if err != nil {
			t.Fatalf("RenderHTML(hello_item): %v", err)
		}
		items = append(items, h)
	}
	v := templates.Layout{
		Lang:          lang,
		Title:         c.T(lang, "hello.title"),
		StylesheetURL: "/static/app.0123abcd.css",
		ScriptURL:     "/static/app.4567ef01.js",
		Nonce:         "bm9uY2Utdjk4",
	}.Values()
	v["greeting"] = c.T(lang, "hello.greeting", name)
	v["name"] = name
	v["intro"] = c.T(lang, "hello.intro")
	v["profileLabel"] = c.T(lang, "hello.profile")
	v["profileURL"] = profileURL
	v["searchLabel"] = c.T(lang, "hello.search")
	v["query"] = query
	v["count"] = len(cands)
	v["items"] = templates.Join(items)
	return v
}

func errorValues(c *templates.Catalog, lang string, status int, messageKey, requestID string) templates.Values {
	v := templates.Layout{
		Lang:          lang,
		Title:         c.T(lang, "error.heading"),
		StylesheetURL: "/static/app.0123abcd.css",
		ScriptURL:     "/static/app.4567ef01.js",
		Nonce:         "bm9uY2Utdjk4",
	}.Values()
	v["heading"] = c.T(lang, "error.heading")
	v["status"] = status
	v["message"] = c.T(lang, messageKey)
	v["nextHeading"] = c.T(lang, "error.next_heading")
	v["next"] = templates.TrustedHTML("  <ul class=\"error-next\">\n    <li>Reload.</li>\n  </ul>")
	v["requestIDLabel"] = c.T(lang, "common.request_id")
	v["requestID"] = requestID
	return v
}

func loadAll(t *testing.T) (*templates.Registry, *templates.Catalog) {
	t.Helper()
	r, err := templates.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c, err := templates.NewCatalog()
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	return r, c
}

func render(t *testing.T, r *templates.Registry, page string, v templates.Values) string {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, page, v); err != nil {
		t.Fatalf("Render(%s): %v", page, err)
	}
	return buf.String()
}

// TestGolden compares renders of the example pages with testdata/*.golden.
// Run with -update to rewrite the files after an intended change.
func TestGolden(t *testing.T) {
	r, c := loadAll(t)
	at := time.Date(2025, time.March, 3, 23, 30, 0, 0, time.UTC) // 4 March in Amsterdam
	cands := []candidate{
		{101, "Anna de Vries", at},
		{102, `Bram "B." O'Neill & Zn.`, at.AddDate(0, 0, -40)},
		{103, "<i>Chris</i>", at.AddDate(0, -6, 0)},
	}
	tests := []struct {
		file string
		page string
		v    templates.Values
	}{
		{"hello_nl.golden", "hello", helloValues(t, r, c, "nl", "Anna & Bram", `jan "de" vries`, "https://example.carerix.com/cxtools/profile?id=7&tab=1", cands)},
		{"hello_en.golden", "hello", helloValues(t, r, c, "en", "Anna", "", "javascript:alert(1)", nil)},
		{"error_en.golden", "error", errorValues(c, "en", 404, "error.not_found", "req-3f2a1c9e")},
		{"error_nl.golden", "error", errorValues(c, "nl", 500, "error.internal", "req-<b>")},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := render(t, r, tc.page, tc.v)
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("render differs from %s (run with -update if intended):\n%s", path, got)
			}
		})
	}
}

// TestHelloPageInjection renders the example page with hostile input in
// every value and inspects the result with goquery: no element or
// attribute may appear that the benign render does not have, and every
// value must read back unchanged.
func TestHelloPageInjection(t *testing.T) {
	r, c := loadAll(t)
	benign := render(t, r, "hello", helloValues(t, r, c, "en", "x", "x", "/x", []candidate{{1, "x", time.Time{}}}))
	for _, h := range hostileInputs() {
		page := render(t, r, "hello", helloValues(t, r, c, "en", h, h, h, []candidate{{1, h, time.Time{}}}))
		if got, want := skeleton(parseHTML(t, page)), skeleton(parseHTML(t, benign)); got != want {
			t.Errorf("value %q changed the DOM:\n got: %s\nwant: %s", trim(h), got, want)
			continue
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("script").Length(); n != 2 {
			t.Errorf("value %q: %d script elements, want 2", trim(h), n)
		}
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("value %q: injected attribute %s on <%s>", trim(h), a.Key, s.Nodes[0].Data)
				}
			}
		})
		want := htmlExpected(h)
		if got := doc.Find("h1").Text(); got != "Hello, "+want+"!" {
			t.Errorf("value %q: h1 = %q", trim(h), trim(got))
		}
		if got, _ := doc.Find(`input[name="q"]`).Attr("value"); got != want {
			t.Errorf("value %q: search value = %q", trim(h), trim(got))
		}
		if got := doc.Find("li.list-item a").Text(); got != want {
			t.Errorf("value %q: list item = %q", trim(h), trim(got))
		}
		href, _ := doc.Find("a.button").Attr("href")
		if href != blocked && !allowedScheme(browserScheme(href)) {
			t.Errorf("value %q: profile link %q has a disallowed scheme", trim(h), trim(href))
		}
		var data struct{ Name, Count string }
		if err := json.Unmarshal([]byte(doc.Find("#hello-data").Text()), &data); err != nil {
			t.Errorf("value %q: page data is not JSON: %v", trim(h), err)
		} else if data.Name != validUTF8(h) || data.Count != "1" {
			t.Errorf("value %q: page data = %+v", trim(h), data)
		}
	}
}

func TestErrorPage(t *testing.T) {
	r, c := loadAll(t)
	page := render(t, r, "error", errorValues(c, "nl", 500, "error.internal", `"><script>alert(1)</script>`))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := doc.Find("html").Attr("lang"); got != "nl" {
		t.Errorf("lang = %q, want nl", got)
	}
	if got := doc.Find("title").Text(); got != "Er is iets misgegaan" {
		t.Errorf("title = %q", got)
	}
	if got := doc.Find("[role=alert] h1 .muted").Text(); got != "500" {
		t.Errorf("status = %q, want 500", got)
	}
	if got := doc.Find("code").Text(); got != `"><script>alert(1)</script>` {
		t.Errorf("request id = %q", got)
	}
	if n := doc.Find("script").Length(); n != 1 {
		t.Errorf("%d script elements, want only the layout's", n)
	}
	if got, _ := doc.Find("script").Attr("nonce"); got != "bm9uY2Utdjk4" {
		t.Errorf("script nonce = %q", got)
	}
	if got, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href"); got != "/static/app.0123abcd.css" {
		t.Errorf("stylesheet = %q", got)
	}
}
