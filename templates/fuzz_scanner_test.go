package templates_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
	"golang.org/x/net/html"

	"github.com/recrubo/recrubo-carerix/templates"
)

// FuzzScanner fuzzes the context scanner with whole templates. A template
// it refuses must be refused with a *ParseError naming the file and a
// line of it; a template it accepts is rendered once with a benign value
// and once with the fuzzed value in every placeholder, and the two renders
// must agree everywhere except inside the values, as an independent HTML
// parser (golang.org/x/net/html), JavaScript parser
// (github.com/tdewolff/parse/v2/js) and JSON decoder read them:
//
//   - the same elements, attributes and comments, in the same order;
//   - every URL attribute that the value changed has an allowed scheme
//     (or is blocked), and one that loads code names no other server;
//   - every script parses in both or in neither (browsers run neither),
//     with the same syntax tree apart from the contents of string
//     literals; JSON data blocks have the same tokens apart from the
//     contents of strings.
func FuzzScanner(f *testing.F) {
	for _, src := range scannerSeeds(f) {
		for _, v := range []string{"javascript:alert(1)", "+alert(1)+", "1);alert(1);//"} {
			f.Add(src, v)
		}
	}
	// Each mistake the scanner once accepted, with a value that exploits it.
	for _, e := range [][2]string{
		{`<a href="javascript&colon;{{v}}">`, "alert(1)"},
		{`<a href="javascript&#5{{v}}">`, "8alert(1)"},
		{`<a href="{{v}}:alert(1)">`, "javascript"},
		{`<script>if (a) /"/.test(s); f({{v}}); x = ""</script>`, "alert(1)"},
		{"<script>function f() {}\n/\"/.test(s); g({{v}}); x = \"\"</script>", "alert(1)"},
		{`<script>a++ /"/ + "{{v}}"";</script>`, "+alert(1)+"},
		{`<script>var r = x.return /"/ + "{{v}}"";</script>`, "+alert(1)+"},
		{"<script>var t = `${\"`\"}`; f({{v}}); x = \"\"</script>", "alert(1)"},
		{"<script>x = 1\n--> \"\nf({{v}}); y = \"\"</script>", "alert(1)"},
		{`<script src="https://{{v}}/a.js"></script>`, "evil.example"},
		{`<script src="{{v}}/{{v}}"></script>`, "/"},
	} {
		f.Add(e[0], e[1])
	}
	for _, v := range append(hostileInputs(), "javascript", ":", "8", "3a", "colon;", "1);alert(1);//", "alert(1)", "/", "/evil.example") {
		f.Add(`<a href="{{v}}" title="{{v}}">{{v}}</a><script>var a = "{{v}}";</script>`, v)
	}
	f.Fuzz(func(t *testing.T, src, v string) {
		if strings.Contains(src, "{{raw:") {
			t.Skip("raw placeholders take rendered HTML, not values")
		}
		r, err := registryFromFiles(map[string]string{"pages/p.html": src})
		if err != nil {
			checkRefusal(t, err, src)
			return
		}
		names, err := r.PageValues("p")
		if err != nil {
			t.Fatal(err)
		}
		benign, hostile := renderAll(t, r, names, "x"), renderAll(t, r, names, v)
		if utf8Valid(src) && !utf8Valid(hostile) {
			t.Fatalf("output is not valid UTF-8: %q", hostile)
		}
		a, b := parseHTML(t, benign), parseHTML(t, hostile)
		if sa, sb := flatSkeleton(a), flatSkeleton(b); sa != sb {
			t.Fatalf("value %q changed the DOM of %q:\n got: %s\nwant: %s", v, src, sb, sa)
		}
		if err := compareNodes(a, b); err != nil {
			t.Fatalf("template %q, value %q: %v\noutput: %s", src, v, err, trim(hostile))
		}
	})
}

// flatSkeleton lists the elements (with their attribute names) and
// comments of a parsed document in document order, leaving out html,
// head and body: whether a value starts with text decides where the
// parser puts the body, which is no injection.
func flatSkeleton(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && (n.Namespace != "" || n.Data != "html" && n.Data != "head" && n.Data != "body"):
			names := make([]string, 0, len(n.Attr))
			for _, a := range n.Attr {
				names = append(names, a.Namespace+":"+a.Key)
			}
			fmt.Fprintf(&b, "<%s:%s %s>", n.Namespace, n.Data, strings.Join(names, " "))
		case n.Type == html.CommentNode:
			b.WriteString("<!-- -->")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// checkRefusal checks the error of a refused template.
func checkRefusal(t *testing.T, err error, src string) {
	t.Helper()
	var pe *templates.ParseError
	if !errors.As(err, &pe) {
		if strings.Contains(err.Error(), "pages/p.html") {
			return // fasttemplate's own errors, named by file
		}
		t.Fatalf("refusal %v is not a *ParseError", err)
	}
	if pe.Template != "pages/p.html" || pe.Line < 1 || pe.Line > strings.Count(src, "\n")+1 || pe.Reason == "" {
		t.Fatalf("refusal %+v does not name the file, a line of it and a reason", pe)
	}
}

// renderAll renders page p with v in every placeholder.
func renderAll(t *testing.T, r *templates.Registry, names []string, v string) string {
	t.Helper()
	vals := templates.Values{}
	for _, n := range names {
		vals[n] = v
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, "p", vals); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.String()
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// compareNodes walks two parsed documents of the same skeleton in step.
func compareNodes(a, b *html.Node) error {
	if a.Type == html.ElementNode {
		for i := range a.Attr {
			if err := compareAttr(a, a.Attr[i], b.Attr[i]); err != nil {
				return err
			}
		}
		if a.Data == "script" && a.Namespace == "" {
			if err := compareScripts(a, textOf(a), textOf(b)); err != nil {
				return err
			}
		}
	}
	ca, cb := a.FirstChild, b.FirstChild
	for ca != nil && cb != nil {
		if err := compareNodes(ca, cb); err != nil {
			return err
		}
		ca, cb = ca.NextSibling, cb.NextSibling
	}
	return nil
}

// urlAttrs are the attributes browsers read as URLs.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true, "cite": true,
	"data": true, "codebase": true, "longdesc": true, "manifest": true, "background": true,
	"icon": true, "dynsrc": true, "lowsrc": true, "classid": true, "profile": true, "archive": true, "usemap": true,
}

func compareAttr(n *html.Node, a, b html.Attribute) error {
	if a.Val == b.Val || !urlAttrs[a.Key] {
		return nil
	}
	scheme := browserScheme(b.Val)
	if !allowedScheme(scheme) && !strings.Contains(b.Val, blocked) {
		return fmt.Errorf("<%s %s=%q>: scheme %q", n.Data, a.Key, trim(b.Val), scheme)
	}
	if loadsCode(n.Data, a.Key) && !strings.Contains(b.Val, blocked) {
		path := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(strings.TrimLeft(b.Val, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \t\n\r"))
		if aPath := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(strings.TrimSpace(a.Val)); hostOf(path) != hostOf(aPath) {
			return fmt.Errorf("<%s %s=%q> loads from host %q, not %q", n.Data, a.Key, trim(b.Val), hostOf(path), hostOf(aPath))
		}
	}
	return nil
}

// hostOf returns the host part of a URL as the scanner's tests read it:
// after the scheme and "//", up to the next '/', '?' or '#'; "" for a
// URL without one.
func hostOf(u string) string {
	if s := browserScheme(u); s != "" {
		u = u[len(s)+1:]
	}
	if !strings.HasPrefix(u, "//") {
		return ""
	}
	u = strings.TrimLeft(u, "/")
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return strings.ToLower(u)
}

func loadsCode(elem, attr string) bool {
	switch elem {
	case "script":
		return attr == "src"
	case "link", "base":
		return attr == "href"
	case "object":
		return attr == "data" || attr == "codebase"
	case "embed":
		return attr == "src"
	}
	return false
}

// compareScripts compares the benign and hostile text of one script.
func compareScripts(n *html.Node, a, b string) error {
	typ, _ := attr(n, "type")
	typ = strings.ToLower(strings.TrimSpace(typ))
	switch {
	case typ == "application/json" || typ == "text/json" || strings.HasSuffix(typ, "+json"):
		ta, ea := jsonShape(a)
		tb, eb := jsonShape(b)
		if (ea == nil) != (eb == nil) || ta != tb {
			return fmt.Errorf("JSON block %q reads as %s (%v), benign %q as %s (%v)", trim(b), trim(tb), eb, trim(a), trim(ta), ea)
		}
	case typ == "" || typ == "module" || strings.Contains(typ, "javascript") || strings.Contains(typ, "ecmascript"):
		ta, ea := jsShape(a)
		tb, eb := jsShape(b)
		if (ea == nil) != (eb == nil) || ta != tb {
			return fmt.Errorf("script %q parses as %s (%v), benign %q as %s (%v)", trim(b), trim(tb), eb, trim(a), trim(ta), ea)
		}
	default:
		if a != b {
			return fmt.Errorf("script of type %q changed: %q", typ, trim(b))
		}
	}
	return nil
}

// jsShape parses a script and lists its syntax tree with the contents of
// string literals left out.
func jsShape(src string) (string, error) {
	ast, err := js.Parse(parse.NewInputString(src), js.Options{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	js.Walk(&shapeWalker{b: &b}, ast)
	return b.String(), nil
}

type shapeWalker struct{ b *strings.Builder }

func (w *shapeWalker) Enter(n js.INode) js.IVisitor {
	switch n := n.(type) {
	case *js.LiteralExpr:
		if n.TokenType == js.StringToken {
			w.b.WriteString("string ")
			return w
		}
		fmt.Fprintf(w.b, "%s(%s) ", n.TokenType, n.Data)
	case *js.Var:
		fmt.Fprintf(w.b, "var(%s) ", n.Data)
	default:
		fmt.Fprintf(w.b, "%T{ ", n)
	}
	return w
}

func (w *shapeWalker) Exit(js.INode) { w.b.WriteString("} ") }

// jsonShape lists the tokens of a JSON text with string contents left out.
func jsonShape(src string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case string:
			b.WriteString("string ")
		default:
			fmt.Fprintf(&b, "%v ", tok)
		}
	}
}

// templateDirFS holds the package's own template files.
var templateDirFS = os.DirFS(".")

// scannerSeeds are the templates the fuzzer starts from: the embedded
// pages and partials, the escaping contexts, and templates right at the
// edges the scanner refuses or accepts.
func scannerSeeds(t testing.TB) []string {
	t.Helper()
	var seeds []string
	for _, dir := range []string{"pages", "partials"} {
		files, err := fs.Glob(templateDirFS, dir+"/*.html")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := fs.ReadFile(templateDirFS, f)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, string(b))
		}
	}
	for _, cc := range contextCases() {
		seeds = append(seeds, cc.src)
	}
	return append(seeds,
		`<a href="javascript&colon;{{v}}">`,
		`<a href="java&Tab;script:{{v}}">`,
		`<a href="javascript&#5{{v}}">`,
		`<a href="{{v}}&#58;alert(1)">`,
		`<a href="/c/{{v}}?q={{v}}#{{v}}">`,
		`<script>if (a) /"/.test(s); f("{{v}}");</script>`,
		`<script>var d = a / 2; var s = '{{v}}';</script>`,
		`<script>a++ /"/ + "{{v}}"</script>`,
		"<script>var t = `${\"`\"}`; var a = \"{{v}}\";</script>",
		"<script>x = 1\n--> note\nvar a = \"{{v}}\";</script>",
		`<script type="application/json">{"a": "{{v}}", "b": ["{{v}}", 1, true]}</script>`,
		`<script src="{{v}}"></script><link rel="stylesheet" href="/s/{{v}}">`,
		`<svg><title>{{v}}</title><a xlink:href="{{v}}"><text>{{v}}</text></a></svg>`,
		`<textarea>{{v}}</textarea><title>{{v}}</title><!-- c --><p title='{{v}}'>`,
	)
}
