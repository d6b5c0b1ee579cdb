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
	return HTML{s: string(s)}
}

// Join concatenates rendered fragments, for example one rendered partial
// per list item.
func Join(items []HTML) HTML {
	n := 0
	for _, it := range items {
		n += len(it.s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, it := range items {
		b.WriteString(it.s)
	}
	return HTML{s: b.String()}
}
