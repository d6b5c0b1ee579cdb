package templates

import "strings"

// HTML is markup that is safe to insert into HTML text unescaped. Values
// can only be made by this package: by Registry.RenderHTML (the output of a
// template render, in which every value was escaped), by Join, and by
// TrustedHTML (reviewed constants). It is a struct, not a string type, so
// that templates.HTML(userInput) does not compile outside this package.
// The zero value is empty markup.
type HTML struct {
	s string
	// rawText: the markup has an element whose text browsers parse
	// differently inside <svg> and <math> (see ErrHTMLInForeign).
	rawText bool
}

// String returns the markup.
func (h HTML) String() string {
	return h.s
}

// constantString is unexported so that callers outside this package can only
// pass untyped string constants to TrustedHTML: a string variable does not
// convert implicitly and the type cannot be named to convert explicitly.
type constantString string

// TrustedHTML marks a compile-time constant as safe markup. It is the
// reviewed opt-in for fixed snippets such as an inline SVG icon; the
// argument must be a string literal or constant (anything else does not
// compile), never data.
func TrustedHTML(s constantString) HTML {
	return HTML{s: string(s), rawText: mentionsRawElement(string(s))}
}

// rawElementNames are the elements whose text the scanner reads as raw
// text or RCDATA (see scanner.finishTag).
var rawElementNames = []string{"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"}

// mentionsRawElement reports whether markup s may have a start tag of one
// of rawElementNames; it errs towards yes.
func mentionsRawElement(s string) bool {
	low := strings.ToLower(s)
	for _, name := range rawElementNames {
		if strings.Contains(low, "<"+name) {
			return true
		}
	}
	return false
}

// Join concatenates rendered fragments, for example one rendered partial
// per list item.
func Join(items []HTML) HTML {
	n := 0
	rawText := false
	for _, it := range items {
		n += len(it.s)
		rawText = rawText || it.rawText
	}
	var b strings.Builder
	b.Grow(n)
	for _, it := range items {
		b.WriteString(it.s)
	}
	return HTML{s: b.String(), rawText: rawText}
}
