package templates

import "fmt"

// escContext is the escaping context a placeholder sits in. It is decided
// once, when the template is loaded, and stored as the first byte of the
// placeholder key handed to fasttemplate.
type escContext byte

const (
	ctxText     escContext = 't' // HTML text or RCDATA
	ctxAttr     escContext = 'a' // quoted attribute value
	ctxURL      escContext = 'u' // start of a URL attribute value
	ctxURLPart  escContext = 'p' // later part of a URL attribute value
	ctxJSString escContext = 'j' // quoted string literal in <script>
	ctxRaw      escContext = 'r' // {{raw:...}} in HTML text
	// ctxSiteURL is the whole value of an attribute that loads code or
	// styles (<script src>, <link href>, ...): a path on this site.
	ctxSiteURL escContext = 's'
	// ctxRawForeign is {{raw:...}} in HTML text inside <svg> or <math>.
	ctxRawForeign escContext = 'f'
)

func (c escContext) String() string {
	switch c {
	case ctxText:
		return "HTML text"
	case ctxAttr:
		return "attribute value"
	case ctxURL:
		return "URL"
	case ctxURLPart:
		return "URL component"
	case ctxJSString:
		return "JS string"
	case ctxRaw:
		return "raw HTML"
	case ctxSiteURL:
		return "URL on this site"
	case ctxRawForeign:
		return "raw HTML in <svg> or <math>"
	}
	return fmt.Sprintf("context(%q)", byte(c))
}

// ParseError reports a template that cannot be loaded, typically because a
// placeholder sits in a context that cannot be escaped safely.
type ParseError struct {
	// Template is the file name inside the template file system, for
	// example "pages/hello.html".
	Template string
	// Line is the 1-based line of the problem.
	Line int
	// Tag is the placeholder as written, for example "{{raw:items}}"; it is
	// empty when the problem is not about a placeholder.
	Tag string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *ParseError) Error() string {
	if e.Tag == "" {
		return fmt.Sprintf("template %s:%d: %s", e.Template, e.Line, e.Reason)
	}
	return fmt.Sprintf("template %s:%d: placeholder %s: %s", e.Template, e.Line, e.Tag, e.Reason)
}

// isURLAttr reports whether an attribute (lower case) holds a URL.
func isURLAttr(name string) bool {
	switch name {
	case "href", "src", "action", "formaction", "poster", "cite", "data", "codebase",
		"longdesc", "manifest", "background", "icon", "xlink:href", "dynsrc", "lowsrc",
		"classid", "profile", "archive", "usemap":
		return true
	}
	return false
}

// loadsCode reports whether attribute name (lower case) of element elem
// loads code or styles into the page, or sets the base of every relative
// URL, so that a URL there chosen by a value would run script as surely
// as a javascript: URL.
func loadsCode(elem, name string) bool {
	switch elem {
	case "script":
		return name == "src" || name == "href" || name == "xlink:href"
	case "link", "base":
		return name == "href"
	case "object":
		return name == "data" || name == "codebase"
	case "embed":
		return name == "src"
	case "applet":
		return name == "code" || name == "codebase" || name == "archive"
	}
	return false
}

// refusedAttr returns why a placeholder may not appear in the value of the
// attribute name (lower case) on element elem, or "" if it may.
func refusedAttr(elem, name string) string {
	switch {
	case len(name) > 2 && name[:2] == "on":
		return fmt.Sprintf("event handler attribute %q is JavaScript; pass data through a data-* attribute instead", name)
	case name == "style":
		return "style attribute is CSS, which is not supported; use a class"
	case name == "srcset" || name == "imagesrcset":
		return fmt.Sprintf("%s attribute is not supported; use src", name)
	case name == "srcdoc":
		return "srcdoc attribute holds a whole HTML document and is not supported"
	case name == "ping":
		return "ping attribute holds a URL list and is not supported"
	case name == "content":
		return "content attribute is not supported: in a <meta http-equiv> it is a refresh URL or a security policy"
	case name == "http-equiv":
		return "http-equiv attribute turns a <meta> into an HTTP header and is not supported"
	case name == "sandbox":
		return "sandbox attribute lifts a frame's restrictions and is not supported"
	case name == "allow":
		return "allow attribute grants a frame browser features (camera, payment, ...) and is not supported"
	case name == "charset":
		return "charset attribute changes how the page is decoded, which can undo escaping, and is not supported"
	}
	switch elem {
	case "script":
		if name == "type" || name == "language" {
			return fmt.Sprintf("%s attribute of <script> decides whether and how its text runs and is not supported", name)
		}
	case "link":
		if name == "rel" || name == "as" {
			return fmt.Sprintf("%s attribute of <link> decides what its URL loads and is not supported", name)
		}
	case "animate", "set", "animatetransform", "animatemotion":
		switch name {
		case "to", "from", "by", "values", "attributename":
			return fmt.Sprintf("SVG animation attribute %q can rewrite other attributes and is not supported", name)
		}
	}
	return ""
}

// allowedScheme reports whether a literal URL scheme written in a template
// may be followed by placeholders.
func allowedScheme(s string) bool {
	return asciiEqualFold(s, "http") || asciiEqualFold(s, "https") ||
		asciiEqualFold(s, "mailto") || asciiEqualFold(s, "tel")
}
