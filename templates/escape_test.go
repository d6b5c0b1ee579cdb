package templates_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recrubo/recrubo-carerix/templates"
)

// renderContext renders a single-context partial with v.
func renderContext(t *testing.T, r *templates.Registry, v string) string {
	t.Helper()
	out, err := r.RenderHTML("c", templates.Values{"v": v})
	if err != nil {
		t.Fatalf("RenderHTML: %v", err)
	}
	return out.String()
}

// TestEscapingContexts renders every hostile input in every context and
// checks, on the parsed DOM, that no element, attribute or comment was
// added or removed and that the browser reads back exactly the value.
func TestEscapingContexts(t *testing.T) {
	for _, cc := range contextCases() {
		t.Run(cc.name, func(t *testing.T) {
			r := newRegistry(t, map[string]string{"partials/c.html": cc.src})
			want := skeleton(parseHTML(t, renderContext(t, r, "x")))
			for _, v := range hostileInputs() {
				out := renderContext(t, r, v)
				if !utf8.ValidString(out) {
					t.Errorf("value %q: output is not valid UTF-8", trim(v))
				}
				doc := parseHTML(t, out)
				if got := skeleton(doc); got != want {
					t.Errorf("value %q changed the DOM:\n got: %s\nwant: %s\noutput: %s", trim(v), got, want, trim(out))
					continue
				}
				if err := cc.check(doc, v); err != nil {
					t.Errorf("value %q: %v\noutput: %s", trim(v), err, trim(out))
				}
			}
		})
	}
}

// TestEscapedOutput pins the exact escaped form for representative values,
// one table row per context, so that a change of escaper is visible.
func TestEscapedOutput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		v    any
		want string
	}{
		{"text", `<p>{{v}}</p>`, `<script>alert("x") & 'y'</script>`,
			`<p>&lt;script&gt;alert(&#34;x&#34;) &amp; &#39;y&#39;&lt;/script&gt;</p>`},
		{"text NUL and CR", `<p>{{v}}</p>`, "a\x00b\rc", "<p>a\uFFFDb&#13;c</p>"},
		{"text invalid UTF-8", `<p>{{v}}</p>`, "a\xffb", "<p>a\uFFFDb</p>"},
		{"attr breakout", `<p title="{{v}}">x</p>`, `" onmouseover=x`, `<p title="&#34; onmouseover=x">x</p>`},
		{"attr single quote", `<p title='{{v}}'>x</p>`, `' onmouseover=x`, `<p title='&#39; onmouseover=x'>x</p>`},
		{"url javascript", `<a href="{{v}}">x</a>`, "javascript:alert(1)", `<a href="about:invalid#blocked">x</a>`},
		{"url javascript upper", `<a href="{{v}}">x</a>`, "JAVASCRIPT:alert(1)", `<a href="about:invalid#blocked">x</a>`},
		{"url javascript leading space", `<a href="{{v}}">x</a>`, " javascript:alert(1)", `<a href="about:invalid#blocked">x</a>`},
		{"url javascript tab", `<a href="{{v}}">x</a>`, "java\tscript:alert(1)", `<a href="about:invalid#blocked">x</a>`},
		{"url data", `<img src="{{v}}">`, "data:image/svg+xml,<svg onload=alert(1)>", `<img src="about:invalid#blocked">`},
		{"url vbscript", `<a href="{{v}}">x</a>`, "vbscript:msgbox", `<a href="about:invalid#blocked">x</a>`},
		{"url https normalised", `<a href="{{v}}">x</a>`, `https://example.com/a b?x=1&y="2"#f`,
			`<a href="https://example.com/a%20b?x=1&amp;y=%222%22#f">x</a>`},
		{"url mailto", `<a href="{{v}}">x</a>`, "mailto:jan@example.nl", `<a href="mailto:jan@example.nl">x</a>`},
		{"url tel", `<a href="{{v}}">x</a>`, "tel:+31 6 1234", `<a href="tel:+31%206%201234">x</a>`},
		{"url relative", `<a href="{{v}}">x</a>`, "/inbox?c=12#m3", `<a href="/inbox?c=12#m3">x</a>`},
		{"url leading literal space", `<a href=" {{v}}">x</a>`, "javascript:x", `<a href=" about:invalid#blocked">x</a>`},
		{"url component in path", `<a href="/c/{{v}}">x</a>`, "../admin?x=1", `<a href="/c/..%2Fadmin%3Fx%3D1">x</a>`},
		{"url component in query", `<a href="/s?q={{v}}&amp;n=1">x</a>`, "a&b=c d+e", `<a href="/s?q=a%26b%3Dc%20d%2Be&amp;n=1">x</a>`},
		{"url component non-ASCII", `<a href="/s?q={{v}}">x</a>`, "é", `<a href="/s?q=%C3%A9">x</a>`},
		{"url component after url", `<a href="{{v}}/c/{{v}}">x</a>`, "javascript:x", `<a href="about:invalid#blocked/c/javascript%3Ax">x</a>`},
		{"site url absolute", `<script src="{{v}}"></script>`, "https://evil.example/x.js", `<script src="about:invalid#blocked"></script>`},
		{"site url protocol-relative", `<script src="{{v}}"></script>`, "//evil.example/x.js", `<script src="about:invalid#blocked"></script>`},
		{"site url path", `<script src="{{v}}"></script>`, "/static/app.1f2e.js", `<script src="/static/app.1f2e.js"></script>`},
		{"site url backslash", `<script src="{{v}}"></script>`, `/\evil.example/x.js`, `<script src="/%5Cevil.example/x.js"></script>`},
		{"site url tab", `<link rel="stylesheet" href="{{v}}">`, "/\t/evil.example/x.css", `<link rel="stylesheet" href="/%09/evil.example/x.css">`},
		{"site url base", `<base href="{{v}}">`, "https://evil.example/", `<base href="about:invalid#blocked">`},
		{"url int", `<a href="/c/{{v}}">x</a>`, 42, `<a href="/c/42">x</a>`},
		{"url float plus", `<a href="/s?n={{v}}">x</a>`, 1e21, `<a href="/s?n=1000000000000000000000">x</a>`},
		{"js breakout", `<script>var a = "{{v}}";</script>`, `</script><script>alert(1)</script>`,
			`<script>var a = "\u003C\u002Fscript\u003E\u003Cscript\u003Ealert(1)\u003C\u002Fscript\u003E";</script>`},
		{"js quotes", `<script>var a = '{{v}}';</script>`, `' ; alert(1); //`, `<script>var a = '\u0027 ; alert(1); \u002F\u002F';</script>`},
		{"js line separators", `<script>var a = "{{v}}";</script>`, "a\u2028b\u2029c\nd", `<script>var a = "a\u2028b\u2029c\u000Ad";</script>`},
		{"js backslash and NUL", `<script>var a = "{{v}}";</script>`, "\\\x00", `<script>var a = "\\\u0000";</script>`},
		{"js template chars", `<script>var a = "{{v}}";</script>`, "`${x}`", `<script>var a = "\u0060\u0024{x}\u0060";</script>`},
		{"js html comment", `<script>var a = "{{v}}";</script>`, "<!--", `<script>var a = "\u003C!--";</script>`},
		{"textarea", `<textarea>{{v}}</textarea>`, "</textarea><b>", `<textarea>&lt;/textarea&gt;&lt;b&gt;</textarea>`},
		{"emoji", `<p title="{{v}}">{{v}}</p>`, "👩🏽‍💻", `<p title="👩🏽‍💻">👩🏽‍💻</p>`},
		{"bool", `<p>{{v}}</p>`, true, `<p>true</p>`},
		{"int64", `<p>{{v}}</p>`, int64(-9223372036854775808), `<p>-9223372036854775808</p>`},
		{"uint8", `<p>{{v}}</p>`, uint8(255), `<p>255</p>`},
		{"float", `<p>{{v}}</p>`, 2.5, `<p>2.5</p>`},
		{"stringer", `<p>{{v}}</p>`, stringer("<b>"), `<p>&lt;b&gt;</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry(t, map[string]string{"partials/c.html": tc.src})
			got, err := r.RenderHTML("c", templates.Values{"v": tc.v})
			if err != nil {
				t.Fatalf("RenderHTML: %v", err)
			}
			if got.String() != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

// TestLongValue checks that a very long value is escaped completely.
func TestLongValue(t *testing.T) {
	r := newRegistry(t, map[string]string{"partials/c.html": `<p>{{v}}</p>`})
	v := strings.Repeat("<", 1<<20)
	got, err := r.RenderHTML("c", templates.Values{"v": v})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<p>" + strings.Repeat("&lt;", 1<<20) + "</p>"; got.String() != want {
		t.Errorf("long value not fully escaped (len %d, want %d)", len(got.String()), len(want))
	}
}
