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
		// The URL scheme is read as the browser reads it: character
		// references decoded, tabs and newlines removed, leading spaces
		// and controls stripped.
		{"javascript URL named colon", `<a href="javascript&colon;{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL decimal colon", `<a href="javascript&#58;{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL hex colon no semicolon", `<a href="javascript&#x3a//%0a{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"hex colon completed by placeholder", `<a href="javascript&#x3a{{x}}">`, "{{x}}", 1, "unfinished character reference"},
		{"javascript URL encoded letter", `<a href="&#106;avascript:{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL hex encoded letters", `<a href="&#x6A;&#X61;vascript:{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL named tab", `<a href="java&Tab;script:{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL named newline", `<a href="java&NewLine;script&colon;{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL literal newline", "<a href=\"java\nscript:{{x}}\">", "{{x}}", 2, `scheme "javascript"`},
		{"javascript URL leading control reference", `<a href="&#1;&#32;javascript:{{x}}">`, "{{x}}", 1, `scheme "javascript"`},
		{"javascript URL in single quotes", `<a href='javascript&colon;{{x}}'>`, "{{x}}", 1, `scheme "javascript"`},
		{"data URL named colon", `<iframe src="data&colon;text/html,{{x}}"></iframe>`, "{{x}}", 1, `scheme "data"`},
		{"vbscript URL", `<a href="vbscript&#x3A;{{x}}">`, "{{x}}", 1, `scheme "vbscript"`},
		{"unfinished decimal reference", `<a href="javascript&#5{{x}}">`, "{{x}}", 1, "unfinished character reference"},
		{"unfinished hex reference", `<a href="javascript&#x{{x}}">`, "{{x}}", 1, "unfinished character reference"},
		{"unfinished named reference", `<a href="javascript&colo{{x}}">`, "{{x}}", 1, "unfinished character reference"},
		{"lone ampersand in scheme", `<a href="javascript&{{x}};">`, "{{x}}", 1, "unfinished character reference"},
		{"colon after placeholder", `<a href="{{x}}:alert(1)">`, "{{x}}", 1, "part of the URL scheme"},
		{"encoded colon after placeholder", `<a href="{{x}}&#58;alert(1)">`, "{{x}}", 1, "part of the URL scheme"},
		{"colon after placeholder inside scheme", `<a href="java{{x}}script:alert(1)">`, "{{x}}", 1, "part of the URL scheme"},
		{"colon before second placeholder", "<a href=\"{{x}}\n:{{y}}\">", "{{x}}", 2, "part of the URL scheme"},
		// Attributes that configure the page, a frame or a <meta>.
		{"meta refresh content", `<meta http-equiv="refresh" content="0;url={{x}}">`, "{{x}}", 1, "content attribute"},
		{"meta content", `<meta name="description" content="{{x}}">`, "{{x}}", 1, "content attribute"},
		{"http-equiv", `<meta http-equiv="{{x}}" content="0">`, "{{x}}", 1, "http-equiv"},
		{"iframe sandbox", `<iframe src="/a" sandbox="allow-scripts {{x}}"></iframe>`, "{{x}}", 1, "sandbox"},
		{"iframe allow", `<iframe src="/a" allow="{{x}}"></iframe>`, "{{x}}", 1, "allow attribute"},
		{"meta charset", `<meta charset="{{x}}">`, "{{x}}", 1, "charset"},
		{"script type attribute", `<script type="{{x}}"></script>`, "{{x}}", 1, "type attribute of <script>"},
		{"link rel", `<link rel="{{x}}" href="/a.css">`, "{{x}}", 1, "rel attribute of <link>"},
		// URLs that load code: a value may not choose the server.
		{"script src protocol-relative", `<script src="//{{x}}/a.js"></script>`, "{{x}}", 1, "choose the server"},
		{"script src host", `<script src="https://{{x}}/a.js"></script>`, "{{x}}", 1, "choose the server"},
		{"script src host suffix", `<script src="https://cdn.example.com{{x}}"></script>`, "{{x}}", 1, "choose the server"},
		{"script src backslash", `<script src="/\{{x}}"></script>`, "{{x}}", 1, "choose the server"},
		{"link href with suffix", `<link rel="stylesheet" href="{{x}}/a.css">`, "{{x}}", 1, "whole value"},
		{"script src two placeholders", `<script src="{{x}}{{y}}"></script>`, "{{y}}", 1, "whole value"},
		{"base href host", `<base href="https:{{x}}">`, "{{x}}", 1, "choose the server"},
		{"object data host", `<object data="//{{x}}"></object>`, "{{x}}", 1, "choose the server"},
		// Script text the scanner cannot follow.
		{"script slash after paren", `<script>if (a) /"/.test(s); f({{x}});"</script>`, "{{x}}", 1, "after the '/' on line 1"},
		{"script division after paren", `<script>var d = (a) / 2; var s = '{{x}}';</script>`, "{{x}}", 1, "may start a regular expression or divide"},
		{"script slash after brace", "<script>function f() {}\n/'/.test(s); var a = '{{x}}';</script>", "{{x}}", 2, "after the '/' on line 2"},
		{"script slash after of", `<script>for (const m of /"/g.exec(s)) {} var a = "{{x}}";</script>`, "{{x}}", 1, "may start a regular expression"},
		{"script slash after dot", `<script>var n = 1./"/; var a = "{{x}}";</script>`, "{{x}}", 1, "may start a regular expression"},
		{"script template substitution", "<script>var t = `${\"`\"}`; var a = \"{{x}}\";</script>", "{{x}}", 1, "template literal substitution"},
		{"script html close comment", "<script>x = 1\n--> note \"\nvar a = \"{{x}}\";</script>", "{{x}}", 3, `"-->" on line 2`},
		{"script string past line end", "<script>var a = \"abc\nvar b = \"{{x}}\";</script>", "{{x}}", 2, "runs past the end of its line"},
		{"script division after increment", `<script>a++ /"/ + "{{x}}"</script>`, "{{x}}", 1, "outside a quoted JS string"},
		{"script division after property keyword", `<script>var r = x.return /"/ + "{{x}}";</script>`, "{{x}}", 1, "outside a quoted JS string"},
		{"script data block", `<script type="text/html"><p title="{{x}}"></p></script>`, "{{x}}", 1, `type="text/html"`},
		{"script import map", `<script type="importmap">{"imports": {"a": "{{x}}"}}</script>`, "{{x}}", 1, "which code the page loads"},
		{"script language", `<script language="vbscript">a = "{{x}}"</script>`, "{{x}}", 1, `type="text/vbscript"`},
		// Inside <svg> and <math> browsers parse raw text elements as
		// markup and decode references in <script>.
		{"svg script", "<svg>\n<script>var a = 1;</script></svg>", "", 2, "<script> inside <svg> or <math>"},
		{"svg script after closed math", `<svg></math><script>var a = "{{x}}";</script></svg>`, "", 1, "<script> inside <svg> or <math>"},
		{"cdata", `<svg><![CDATA[ x ]]></svg>`, "", 1, "CDATA"},
		{"svg title markup", `<svg><title><a href="</title>{{x}}"></a></title></svg>`, "", 1, "markup inside <title> within <svg>"},
		{"math style markup", `<math><style><b></b></style></math>`, "", 1, "markup inside <style> within <svg> or <math>"},
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
		{"ends in svg", "<svg>\n<rect/>", "", 2, "ends inside <svg>"},
		{"ends in math after svg", "<math><svg></svg>", "", 1, "ends inside <math>"},
		{"unquoted script type", `<script type=text/html>"{{x}}"</script>`, "{{x}}", 1, `type="text/html"`},
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
		{"script string after division", `<script>var d = a / 2 / b[0] / x.y / 1 / i++ / "s" / /r/ / x.if; var s = '{{v}}';</script>`,
			`<script>var d = a / 2 / b[0] / x.y / 1 / i++ / "s" / /r/ / x.if; var s = 'a\u0022\u003C\u002F';</script>`},
		{"script string after regexps", "<script>f(/'/, [/'/], !/'/, a = /'/, a ? /'/ : /'/, typeof /'/, a + /'/);\nreturn /'/; var s = \"{{v}}\";</script>",
			"<script>f(/'/, [/'/], !/'/, a = /'/, a ? /'/ : /'/, typeof /'/, a + /'/);\nreturn /'/; var s = \"a\\u0022\\u003C\\u002F\";</script>"},
		{"script string after line separator", "<script>// note\u2028var s = \"{{v}}\";</script>",
			"<script>// note\u2028var s = \"a\\u0022\\u003C\\u002F\";</script>"},
		{"script string before ambiguous slash", `<script>var s = "{{v}}"; if (s) /x/.test(s);</script>`,
			`<script>var s = "a\u0022\u003C\u002F"; if (s) /x/.test(s);</script>`},
		{"script module", `<script type="module">var s = "{{v}}";</script>`, `<script type="module">var s = "a\u0022\u003C\u002F";</script>`},
		{"script ld+json", `<script type="application/ld+json">{"s": "{{v}}"}</script>`,
			`<script type="application/ld+json">{"s": "a\u0022\u003C\u002F"}</script>`},
		{"script first type wins", `<script type="application/json" type="text/html">{"s": "{{v}}"}</script>`,
			`<script type="application/json" type="text/html">{"s": "a\u0022\u003C\u002F"}</script>`},
		{"script after self-closed svg", `<svg/><script>var s = "{{v}}";</script>`, `<svg/><script>var s = "a\u0022\u003C\u002F";</script>`},
		{"script after svg", `<svg><rect/></svg><script>var s = "{{v}}";</script>`,
			`<svg><rect/></svg><script>var s = "a\u0022\u003C\u002F";</script>`},
		{"svg title text", `<svg><title>{{v}}</title></svg>`, `<svg><title>a&#34;&lt;/</title></svg>`},
		{"url after entity slash", `<a href="&#x2F;c&sol;{{v}}">`, `<a href="&#x2F;c&sol;a%22%3C%2F">`},
		{"url query ampersand before placeholder", `<a href="/s?a=1&{{v}}=2">`, `<a href="/s?a=1&a%22%3C%2F=2">`},
		{"url colon after closed scheme", `<a href="/c/{{v}}:{{v}}">`, `<a href="/c/a%22%3C%2F:a%22%3C%2F">`},
		{"url https entity colon", `<a href="https&colon;//example.com/{{v}}">`, `<a href="https&colon;//example.com/a%22%3C%2F">`},
		{"script src path", `<script src="/static/{{v}}"></script>`, `<script src="/static/a%22%3C%2F"></script>`},
		{"script src whole", `<script src="{{v}}"></script>`, `<script src="a%22%3C/"></script>`},
		{"script src host written", `<script src="https://cdn.example.com/{{v}}"></script>`,
			`<script src="https://cdn.example.com/a%22%3C%2F"></script>`},
		{"link href whole", `<link rel="stylesheet" href=" {{v}} ">`, `<link rel="stylesheet" href=" a%22%3C/ ">`},
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

// TestRawInForeignContent checks that HTML inserted into <svg> or <math>
// through a raw placeholder may not hold an element whose text browsers
// parse differently there, however it was made.
func TestRawInForeignContent(t *testing.T) {
	r := newRegistry(t, map[string]string{
		"partials/chart.html":   `<svg viewBox="0 0 10 10">{{raw:items}}</svg>`,
		"partials/rect.html":    `<rect width="{{w}}" height="1"></rect>`,
		"partials/titled.html":  `<rect width="1" height="1"><title>{{t}}</title></rect>`,
		"partials/wrapper.html": `<g>{{raw:inner}}</g>`,
	})
	rect, err := r.RenderHTML("rect", templates.Values{"w": 3})
	if err != nil {
		t.Fatal(err)
	}
	titled, err := r.RenderHTML("titled", templates.Values{"t": "x"})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := r.RenderHTML("wrapper", templates.Values{"inner": titled})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.RenderHTML("chart", templates.Values{"items": templates.Join([]templates.HTML{rect, rect})})
	if err != nil {
		t.Fatalf("plain SVG refused: %v", err)
	}
	if want := `<svg viewBox="0 0 10 10"><rect width="3" height="1"></rect><rect width="3" height="1"></rect></svg>`; out.String() != want {
		t.Errorf("got %s, want %s", out, want)
	}
	for name, h := range map[string]templates.HTML{
		"partial with title": titled,
		"joined":             templates.Join([]templates.HTML{rect, titled}),
		"nested":             wrapped,
		"trusted style":      templates.TrustedHTML(`<STYLE>rect{}</STYLE>`),
	} {
		if _, err := r.RenderHTML("chart", templates.Values{"items": h}); !errors.Is(err, templates.ErrHTMLInForeign) {
			t.Errorf("%s: err = %v, want ErrHTMLInForeign", name, err)
		}
	}
}
