package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/templates"
)

// TestRefusedContexts checks that a placeholder in a context that cannot be
// escaped makes loading fail with an error naming the template, the
// placeholder and the line.
func TestRefusedContexts(t *testing.T) {
	tests := []struct {
		name string
		// src is the page; the offending placeholder is on wantLine.
		src      string
		wantTag  string
		wantLine int
		// wantReason is a substring of the reason.
		wantReason string
	}{
		{"element name", "<p>\n<{{x}}>", "{{x}}", 2, "element name"},
		{"end tag name", "</{{x}}>", "{{x}}", 1, "element name"},
		{"element name suffix", "<di{{x}}>", "{{x}}", 1, "element name"},
		{"attribute name", "<div {{x}}>", "{{x}}", 1, "attribute name"},
		{"attribute name suffix", `<div data-{{x}}="1">`, "{{x}}", 1, "attribute name"},
		{"attribute after value", `<div a="1" {{x}}>`, "{{x}}", 1, "attribute name"},
		{"unquoted value", "<div title={{x}}>", "{{x}}", 1, "unquoted"},
		{"unquoted value suffix", "<div title=a{{x}}>", "{{x}}", 1, "unquoted"},
		{"event handler", `<button onclick="go('{{x}}')">`, "{{x}}", 1, "event handler"},
		{"event handler upper case", "<a\nONMOUSEOVER=\"{{x}}\">", "{{x}}", 2, "event handler"},
		{"style attribute", `<p style="color: {{x}}">`, "{{x}}", 1, "CSS"},
		{"style element", "<style>\np { color: {{x}} }\n</style>", "{{x}}", 2, "<style>"},
		{"srcset", `<img srcset="{{x}} 1x">`, "{{x}}", 1, "srcset"},
		{"srcdoc", `<iframe srcdoc="{{x}}"></iframe>`, "{{x}}", 1, "srcdoc"},
		{"ping", `<a ping="{{x}}">`, "{{x}}", 1, "ping"},
		{"svg animate", `<svg><animate attributeName="href" to="{{x}}"/></svg>`, "{{x}}", 1, "SVG animation"},
		{"comment", "<!-- {{x}} -->", "{{x}}", 1, "comment"},
		{"comment start", "<!--{{x}}-->", "{{x}}", 1, "comment"},
		{"multi-line comment", "<!--\n\n{{x}}\n-->", "{{x}}", 3, "comment"},
		{"doctype", "<!DOCTYPE {{x}}>", "{{x}}", 1, "markup declaration"},
		{"markup open", "<!{{x}}>", "{{x}}", 1, "comment"},
		{"processing instruction", "<?xml {{x}}?>", "{{x}}", 1, "markup declaration"},
		{"script code", "<script>\nvar a = {{x}};\n</script>", "{{x}}", 2, "outside a quoted JS string"},
		{"script after string", `<script>var a = "b" + {{x}};</script>`, "{{x}}", 1, "outside a quoted JS string"},
		{"script template literal", "<script>var a = `{{x}}`;</script>", "{{x}}", 1, "template literal"},
		{"script line comment", "<script>// {{x}}\n</script>", "{{x}}", 1, "outside a quoted JS string"},
		{"script block comment", "<script>/* \"{{x}}\" */</script>", "{{x}}", 1, "outside a quoted JS string"},
		{"script regexp", `<script>var r = /"{{x}}"/;</script>`, "{{x}}", 1, "outside a quoted JS string"},
		{"script regexp after return", `<script>function f() { return /'{{x}}/ }</script>`, "{{x}}", 1, "outside a quoted JS string"},
		{"script after backslash", `<script>var a = "\{{x}}";</script>`, "{{x}}", 1, "backslash"},
		{"script after lt", `<script>var a = "<{{x}}";</script>`, "{{x}}", 1, "after '<'"},
		{"script in end tag", `<script>var a = "</scr{{x}}";</script>`, "{{x}}", 1, "after '<'"},
		{"script html comment", "<script>\n<!-- x\n</script>", "", 2, `"<!--"`},
		{"textarea end tag", `<textarea></text{{x}}</textarea>`, "{{x}}", 1, "closing tag"},
		{"xmp", "<xmp>{{x}}</xmp>", "{{x}}", 1, "raw text element <xmp>"},
		{"plaintext", "<plaintext>{{x}}", "{{x}}", 1, "<plaintext>"},
		{"end tag attribute", `</p title="{{x}}">`, "{{x}}", 1, "end tag"},
		{"javascript URL prefix", `<a href="javascript:{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL prefix spaced", `<a href=" JavaScript:go({{x}})">`, "{{x}}", 1, `scheme "JavaScript"`},
		{"data URL prefix", `<img src="data:image/png;base64,{{x}}">`, "{{x}}", 1, `scheme "data"`},
		{"raw in attribute", `<p title="{{raw:x}}">`, "{{raw:x}}", 1, "only allowed in HTML text"},
		{"raw in script", `<script>var a = "{{raw:x}}";</script>`, "{{raw:x}}", 1, "only allowed in HTML text"},
		{"raw in textarea", `<textarea>{{raw:x}}</textarea>`, "{{raw:x}}", 1, "only allowed in HTML text"},
		{"raw in title", `<title>{{raw:x}}</title>`, "{{raw:x}}", 1, "only allowed in HTML text"},
		{"unknown kind", `<p>{{js:x}}</p>`, "{{js:x}}", 1, "unknown kind"},
		{"spaces in name", `<p>{{ x }}</p>`, "{{ x }}", 1, "placeholder name"},
		{"dash in name", `<p>{{x-y}}</p>`, "{{x-y}}", 1, "placeholder name"},
		{"empty name", `<p>{{}}</p>`, "{{}}", 1, "placeholder name"},
		{"unterminated", "<p>\n{{x</p>", "", 2, `without a closing`},
		{"ends in tag", `<p title="x`, "", 1, "ends inside an attribute value"},
		{"ends in script", "<script>var a = 1;", "", 1, "ends inside a <script> element"},
		{"ends in comment", "<!-- x", "", 1, "ends inside an HTML comment"},
		{"ends in textarea", "<textarea>x", "", 1, "ends inside a <title> or <textarea>"},
		{"ends after lt", "a <", "", 1, "ends inside '<'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registryFromFiles(map[string]string{"pages/p.html": tc.src})
			if err == nil {
				t.Fatal("NewFromFS succeeded, want an error")
			}
			var pe *templates.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Template != "pages/p.html" || pe.Tag != tc.wantTag || pe.Line != tc.wantLine {
				t.Errorf("got template %q tag %q line %d, want %q %q %d (%v)",
					pe.Template, pe.Tag, pe.Line, "pages/p.html", tc.wantTag, tc.wantLine, err)
			}
			if !strings.Contains(pe.Reason, tc.wantReason) {
				t.Errorf("reason %q does not mention %q", pe.Reason, tc.wantReason)
			}
			msg := err.Error()
			for _, part := range []string{"pages/p.html:", tc.wantTag} {
				if !strings.Contains(msg, part) {
					t.Errorf("error %q does not name %q", msg, part)
				}
			}
		})
	}
}

// TestAcceptedContexts checks templates whose placeholders sit right after
// constructs the scanner must get right (comments, scripts, regexps,
// raw text end tags), by rendering a value and checking the escaper used.
func TestAcceptedContexts(t *testing.T) {
	const v = `a"</`
	tests := []struct {
		name, src, want string
	}{
		{"text after comment", `<!-- <p title=" --><p>{{v}}</p>`, `<!-- <p title=" --><p>a&#34;&lt;/</p>`},
		{"text after abrupt comment", `<!--><p>{{v}}</p>`, `<!--><p>a&#34;&lt;/</p>`},
		{"text after bang comment end", `<!-- x --!><p>{{v}}</p>`, `<!-- x --!><p>a&#34;&lt;/</p>`},
		{"text after doctype", `<!doctype html><p>{{v}}</p>`, `<!doctype html><p>a&#34;&lt;/</p>`},
		{"text after script", `<script>var a = "<p>";</script>{{v}}`, `<script>var a = "<p>";</script>a&#34;&lt;/`},
		{"text after script end with space", `<script>x()</script >{{v}}`, `<script>x()</script >a&#34;&lt;/`},
		{"text after style", `<style>a[title="x"] {}</style>{{v}}`, `<style>a[title="x"] {}</style>a&#34;&lt;/`},
		{"text after textarea", `<textarea><p title="</textarea>{{v}}`, `<textarea><p title="</textarea>a&#34;&lt;/`},
		{"text after less-than", `<p>a < b {{v}}</p>`, `<p>a < b a&#34;&lt;/</p>`},
		{"text after self-closing", `<br/>{{v}}`, `<br/>a&#34;&lt;/`},
		{"attr after another attr", `<p class=a title="{{v}}">`, `<p class=a title="a&#34;&lt;/">`},
		{"attr with gt in literal", `<p data-x="a>b" title="{{v}}">`, `<p data-x="a>b" title="a&#34;&lt;/">`},
		{"script string after regexp with quote", `<script>var r = /"/g; var s = "{{v}}";</script>`,
			`<script>var r = /"/g; var s = "a\u0022\u003C\u002F";</script>`},
		{"script string after division", `<script>var d = (a) / 2; var s = '{{v}}';</script>`,
			`<script>var d = (a) / 2; var s = 'a\u0022\u003C\u002F';</script>`},
		{"script string after comments", "<script>// it's\n/* \"x */ var s = \"{{v}}\";</script>",
			"<script>// it's\n/* \"x */ var s = \"a\\u0022\\u003C\\u002F\";</script>"},
		{"script string with escaped quote", `<script>var s = "\"{{v}}";</script>`,
			`<script>var s = "\"a\u0022\u003C\u002F";</script>`},
		{"script regexp class", `<script>var r = /[/"]/; var s = "{{v}}";</script>`,
			`<script>var r = /[/"]/; var s = "a\u0022\u003C\u002F";</script>`},
		{"url after literal https", `<a href="https://example.com/?q={{v}}">`, `<a href="https://example.com/?q=a%22%3C%2F">`},
		{"url after literal mailto", `<a href="mailto:{{v}}">`, `<a href="mailto:a%22%3C%2F">`},
		{"url in svg xlink", `<svg><a xlink:href="{{v}}"></a></svg>`, `<svg><a xlink:href="a%22%3C/"></a></svg>`},
		{"url upper case attr", `<A HREF="{{v}}">`, `<A HREF="a%22%3C/">`},
		{"url formaction", `<button formaction="{{v}}">`, `<button formaction="a%22%3C/">`},
		{"url poster", `<video poster='{{v}}'>`, `<video poster='a%22%3C/'>`},
		{"title", `<title>{{v}}</title>`, `<title>a&#34;&lt;/</title>`},
		{"noscript", `<noscript>{{v}}</noscript>`, `<noscript>a&#34;&lt;/</noscript>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry(t, map[string]string{"partials/c.html": tc.src})
			got, err := r.RenderHTML("c", templates.Values{"v": v})
			if err != nil {
				t.Fatalf("RenderHTML: %v", err)
			}
			if got.String() != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestAllErrorsReported checks that every broken template is reported, not
// just the first.
func TestAllErrorsReported(t *testing.T) {
	_, err := registryFromFiles(map[string]string{
		"pages/a.html":    "<p {{x}}>",
		"partials/b.html": "<!-- {{y}} -->",
	})
	if err == nil {
		t.Fatal("NewFromFS succeeded, want an error")
	}
	for _, want := range []string{"pages/a.html:1", "partials/b.html:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
