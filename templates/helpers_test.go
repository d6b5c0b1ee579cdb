package templates_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/recrubo/recrubo-carerix/templates"
)

// minimalLayout is the layout used by registries built in tests, so that
// renders of test pages contain only the page.
const minimalLayout = "{{raw:content}}"

// newRegistry builds a Registry from files (path → content). A minimal
// layout is added unless files has one.
func newRegistry(t testing.TB, files map[string]string) *templates.Registry {
	t.Helper()
	r, err := registryFromFiles(files)
	if err != nil {
		t.Fatalf("NewFromFS: %v", err)
	}
	return r
}

func registryFromFiles(files map[string]string) (*templates.Registry, error) {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	if _, ok := fsys["partials/layout.html"]; !ok {
		fsys["partials/layout.html"] = &fstest.MapFile{Data: []byte(minimalLayout)}
	}
	return templates.NewFromFS(fsys)
}

// parseHTML parses a rendered document or fragment the way a browser with
// scripting enabled does.
func parseHTML(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parsing output: %v", err)
	}
	return doc
}

// skeleton lists the element and attribute names of a parsed document in
// document order, plus comment nodes: everything an injection would add,
// but none of the text or attribute values.
func skeleton(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		switch n.Type {
		case html.ElementNode:
			names := make([]string, 0, len(n.Attr))
			for _, a := range n.Attr {
				names = append(names, a.Namespace+":"+a.Key)
			}
			slices.Sort(names)
			fmt.Fprintf(&b, "%s<%s %s>\n", strings.Repeat(" ", depth), n.Data, strings.Join(names, " "))
		case html.CommentNode:
			fmt.Fprintf(&b, "%s<!-- -->\n", strings.Repeat(" ", depth))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// byID returns the element with the given id.
func byID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		if v, ok := attr(n, "id"); ok && v == id {
			return n
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf concatenates the text nodes below n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// validUTF8 maps each invalid byte of s to U+FFFD, as the escapers do.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// htmlExpected is what a browser should read back from a value rendered in
// HTML text or an attribute: the value with invalid UTF-8 and NUL replaced
// by U+FFFD.
func htmlExpected(s string) string {
	return strings.ReplaceAll(validUTF8(s), "\x00", "\uFFFD")
}

// decodeJSString decodes a JS string literal body that starts at s and ends
// at the first unescaped quote. It understands only the escapes the
// JS-string escaper emits (\\ and \uXXXX) and fails on anything else, so
// it also checks that no raw quote or unexpected escape was produced.
func decodeJSString(s string, quote byte) (val, rest string, err error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), s[i+1:], nil
		case c == '\\':
			if i+1 < len(s) && s[i+1] == '\\' {
				b.WriteByte('\\')
				i++
				continue
			}
			if i+5 < len(s) && s[i+1] == 'u' {
				n, perr := strconv.ParseUint(s[i+2:i+6], 16, 32)
				if perr != nil {
					return "", "", fmt.Errorf("bad escape %q", s[i:i+6])
				}
				b.WriteRune(rune(n))
				i += 5
				continue
			}
			return "", "", fmt.Errorf("unexpected escape at %q", s[i:])
		case c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>':
			return "", "", fmt.Errorf("unescaped %q in JS string", c)
		case strings.HasPrefix(s[i:], "\u2028") || strings.HasPrefix(s[i:], "\u2029"):
			// Line terminators in string literals before ES2019.
			return "", "", fmt.Errorf("unescaped line separator in JS string")
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated JS string")
}

// browserScheme returns the scheme a browser would see in an attribute
// URL, following the WHATWG URL parser: leading and trailing C0 controls
// and spaces are stripped and tabs and newlines removed before the scheme
// is read. It returns "" for relative URLs.
func browserScheme(u string) string {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= 0x20 })
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':' && i > 0:
			return strings.ToLower(u[:i])
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return ""
		}
	}
	return ""
}

// hostileInputs are the values every escaping context is tested with.
func hostileInputs() []string {
	return []string{
		"",
		"plain",
		"<script>alert(1)</script>",
		`" onmouseover=x`,
		`' onmouseover=x`,
		"javascript:alert(1)",
		" JaVaScRiPt:alert(1)",
		"java\tscript:alert(1)",
		"\x01javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"' ; alert(1); //",
		`" ; alert(1); //`,
		"</script><script>alert(1)</script>",
		"</SCRIPT/><img src=x onerror=alert(1)>",
		"<!--<script>",
		"--><img src=x onerror=alert(1)>",
		"]]><img src=x>",
		"</textarea><img src=x onerror=alert(1)>",
		"</title><img src=x>",
		"line\u2028sep\u2029para",
		"nul\x00byte",
		"cr\rlf\ncrlf\r\n",
		"tab\tff\f",
		"\xff\xfe invalid \xc3",
		"emoji 👩🏽‍💻 🇳🇱",
		"`${alert(1)}`",
		"\\\"\\'\\",
		"&amp; &lt; &#x3C; &#60",
		"%3Cscript%3E %00 %",
		"https://example.com/a b?x=1&y=\"2\"#f",
		"mailto:jan@example.nl",
		"tel:+31 6 1234 5678",
		"//evil.example/x",
		`/\evil.example/x`,
		"/\t/evil.example/x",
		"/relative/path?q=1",
		"?a=1&b=2",
		"a+b=c&d",
		strings.Repeat("<>\"'&\u2028x", 4000),
	}
}
