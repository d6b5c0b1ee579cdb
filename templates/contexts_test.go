package templates_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// contextCase is one escaping context: a template fragment with the
// placeholder {{v}} inside an element with a unique id, and a check that
// reads the value back from the parsed output the way a browser would.
type contextCase struct {
	name string
	// src is the template fragment.
	src string
	// check inspects the parsed output for the rendered value v.
	check func(doc *html.Node, v string) error
}

const blocked = "about:invalid#blocked"

func allowedScheme(s string) bool {
	return s == "" || s == "http" || s == "https" || s == "mailto" || s == "tel"
}

// elem returns the element with the given id or an error.
func elem(doc *html.Node, id string) (*html.Node, error) {
	n := byID(doc, id)
	if n == nil {
		return nil, fmt.Errorf("element #%s is gone", id)
	}
	return n, nil
}

func wantEqual(what, got, want string) error {
	if got != want {
		return fmt.Errorf("%s = %q, want %q", what, trim(got), trim(want))
	}
	return nil
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func checkText(id string, textarea bool) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		want := htmlExpected(v)
		if textarea {
			// The parser drops a newline right after <textarea>;
			// golang.org/x/net/html also drops a CR (even one written
			// as &#13;) before it. Display only, no structural effect.
			want = strings.TrimPrefix(strings.TrimPrefix(want, "\r"), "\n")
		}
		return wantEqual("text", textOf(n), want)
	}
}

func checkAttr(id, key, prefix, suffix string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		got, _ := attr(n, key)
		return wantEqual(key, got, prefix+htmlExpected(v)+suffix)
	}
}

// checkURL checks a placeholder that is a whole URL attribute value: a
// value a browser would read as a non-allowed scheme must be blocked, and
// whatever is emitted must have an allowed scheme and no characters that
// need quoting.
func checkURL(id string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		href, _ := attr(n, "href")
		if !allowedScheme(browserScheme(v)) && href != blocked {
			return fmt.Errorf("href = %q for %q, want %q", trim(href), trim(v), blocked)
		}
		if href == blocked {
			return nil
		}
		if s := browserScheme(href); !allowedScheme(s) {
			return fmt.Errorf("href %q has scheme %q", trim(href), s)
		}
		if i := strings.IndexFunc(href, func(r rune) bool {
			return r <= ' ' || r >= 0x7F || strings.ContainsRune("\"'<>\\`", r)
		}); i >= 0 {
			return fmt.Errorf("href %q has unencoded %q", trim(href), href[i])
		}
		return nil
	}
}

// checkSiteURL checks a placeholder that is the whole URL of a <script
// src>: whatever a browser reads there must be blocked or a URL on the
// page's own site, with no scheme and no host.
func checkSiteURL(id string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		src, _ := attr(n, "src")
		if src == blocked {
			return nil
		}
		path := strings.TrimFunc(src, func(r rune) bool { return r <= 0x20 })
		path = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(path)
		if s := browserScheme(src); s != "" || strings.HasPrefix(path, "//") {
			return fmt.Errorf("src %q for %q leaves the site", trim(src), trim(v))
		}
		return nil
	}
}

func checkURLPath(id, prefix string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		href, _ := attr(n, "href")
		rest, ok := strings.CutPrefix(href, prefix)
		if !ok {
			return fmt.Errorf("href %q lost its prefix %q", trim(href), prefix)
		}
		if strings.ContainsAny(rest, "/?#") {
			return fmt.Errorf("href %q: value escaped its path segment", trim(href))
		}
		got, err := url.PathUnescape(rest)
		if err != nil {
			return fmt.Errorf("href %q: %v", trim(href), err)
		}
		return wantEqual("path segment", got, validUTF8(v))
	}
}

func checkURLQuery(id string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		href, _ := attr(n, "href")
		u, err := url.Parse(href)
		if err != nil {
			return fmt.Errorf("href %q: %v", trim(href), err)
		}
		if u.Scheme != "" || u.Host != "" || u.Path != "/search" || u.Fragment != "" {
			return fmt.Errorf("href %q changed outside the query", trim(href))
		}
		q := u.Query()
		if len(q) != 2 || q.Get("n") != "1" {
			return fmt.Errorf("href %q: query keys changed: %v", trim(href), q)
		}
		return wantEqual("q", q.Get("q"), validUTF8(v))
	}
}

func checkJS(id, before string, quote byte, after string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		src := textOf(n)
		body, ok := strings.CutPrefix(src, before)
		if !ok {
			return fmt.Errorf("script %q lost its start %q", trim(src), before)
		}
		got, rest, err := decodeJSString(body, quote)
		if err != nil {
			return fmt.Errorf("script %q: %v", trim(src), err)
		}
		if rest != after {
			return fmt.Errorf("script continues with %q after the string, want %q", trim(rest), after)
		}
		return wantEqual("JS string", got, validUTF8(v))
	}
}

func checkJSON(id string) func(*html.Node, string) error {
	return func(doc *html.Node, v string) error {
		n, err := elem(doc, id)
		if err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(textOf(n)), &m); err != nil {
			return fmt.Errorf("JSON data block: %v", err)
		}
		if len(m) != 2 || m["n"] != "1" {
			return fmt.Errorf("JSON keys changed: %v", m)
		}
		return wantEqual("JSON string", m["k"], validUTF8(v))
	}
}

// contextCases covers every context a placeholder may be in.
func contextCases() []contextCase {
	return []contextCase{
		{"text", `<div id="text">{{v}}</div>`, checkText("text", false)},
		{"text-after-element", `<p id="mixed"><b>a</b>{{v}}<i>b</i></p>`, func(doc *html.Node, v string) error {
			n, err := elem(doc, "mixed")
			if err != nil {
				return err
			}
			return wantEqual("text", textOf(n), "a"+htmlExpected(v)+"b")
		}},
		{"attr-double", `<div id="dq" title="{{v}}"></div>`, checkAttr("dq", "title", "", "")},
		{"attr-single", `<div id="sq" title='{{v}}'></div>`, checkAttr("sq", "title", "", "")},
		{"attr-mixed", `<div id="cls" class="a {{v}} b"></div>`, checkAttr("cls", "class", "a ", " b")},
		{"attr-data", `<div id="data" data-name="{{v}}"></div>`, checkAttr("data", "data-name", "", "")},
		{"url", `<a id="url" href="{{v}}">x</a>`, checkURL("url")},
		{"site-url", `<script id="site" src="{{v}}"></script>`, checkSiteURL("site")},
		{"url-path", `<a id="path" href="/c/{{v}}">x</a>`, checkURLPath("path", "/c/")},
		{"url-absolute-path", `<a id="abs" href="https://example.com/c/{{v}}">x</a>`, checkURLPath("abs", "https://example.com/c/")},
		{"url-query", `<a id="query" href="/search?q={{v}}&amp;n=1">x</a>`, checkURLQuery("query")},
		{"js-double", `<script id="jsdq">var a = "{{v}}";</script>`, checkJS("jsdq", `var a = "`, '"', ";")},
		{"js-single", `<script id="jssq">var b = '{{v}}';</script>`, checkJS("jssq", `var b = '`, '\'', ";")},
		{"json", `<script id="json" type="application/json">{"k": "{{v}}", "n": "1"}</script>`, checkJSON("json")},
		{"textarea", `<textarea id="ta">{{v}}</textarea>`, checkText("ta", true)},
		{"title", `<title id="title">{{v}}</title>`, checkText("title", false)},
	}
}
