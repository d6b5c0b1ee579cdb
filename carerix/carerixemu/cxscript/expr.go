package cxscript

import (
	"fmt"
	"strings"
)

// urlEncodedKey is the pseudo-key that URL-encodes the value of the path
// before it (Assumption: an emulator convention, see the package doc).
const urlEncodedKey = "urlEncoded"

// valueExpr is a compiled attribute value: a constant, a $path, or (with
// expand="1") text with ${path} interpolations.
type valueExpr struct {
	// path is set when the whole value is a single $path.
	path string
	// parts is the constant text and interpolations, in order; a constant
	// value is a single literal part.
	parts []valuePart
}

// valuePart is literal text or an interpolated path.
type valuePart struct {
	literal string
	path    string // non-empty for ${path}
}

// compileValue compiles an attribute value. With expand, ${path} is
// interpolated; otherwise a value that is exactly $path is resolved and
// anything else is a constant.
func compileValue(raw string, expand bool) (*valueExpr, error) {
	if !expand {
		if p, ok := strings.CutPrefix(raw, "$"); ok && validPath(p) {
			return &valueExpr{path: p}, nil
		}
		return &valueExpr{parts: []valuePart{{literal: raw}}}, nil
	}
	x := &valueExpr{}
	rest := raw
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		if i > 0 {
			x.parts = append(x.parts, valuePart{literal: rest[:i]})
		}
		end := strings.IndexByte(rest[i+2:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated ${ in %q", raw)
		}
		p := strings.TrimSpace(rest[i+2 : i+2+end])
		if !validPath(p) {
			return nil, fmt.Errorf("invalid path ${%s} in %q", p, raw)
		}
		x.parts = append(x.parts, valuePart{path: p})
		rest = rest[i+2+end+1:]
	}
	if rest != "" {
		x.parts = append(x.parts, valuePart{literal: rest})
	}
	return x, nil
}

// validPath reports whether p is a dotted key path such as
// "activity.toEmployee.employeeID": segments of letters, digits, '_' or
// '@', the first starting with a letter or '_'.
func validPath(p string) bool {
	if p == "" {
		return false
	}
	for i, seg := range strings.Split(p, ".") {
		if seg == "" {
			return false
		}
		for k, r := range seg {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
			digit := r >= '0' && r <= '9'
			switch {
			case letter:
			case digit || r == '@':
				if i == 0 && k == 0 {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// validName reports whether s is a valid variable name.
func validName(s string) bool {
	return validPath(s) && !strings.ContainsAny(s, ".@")
}

// parseList splits a property-list constant such as ("a", "b", c) into
// its items. A value without surrounding parentheses is one item; an
// empty value is no items.
func parseList(s string) []string {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	if !strings.HasPrefix(t, "(") || !strings.HasSuffix(t, ")") {
		return []string{s}
	}
	inner := t[1 : len(t)-1]
	var items []string
	var cur strings.Builder
	inQuote, quoted := false, false
	flush := func() {
		item := cur.String()
		if !quoted {
			item = strings.TrimSpace(item)
		}
		if item != "" || quoted {
			items = append(items, item)
		}
		cur.Reset()
		quoted = false
	}
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(inner):
			i++
			cur.WriteByte(inner[i])
		case c == '"':
			if !inQuote {
				cur.Reset() // drop blanks before the opening quote
			}
			inQuote = !inQuote
			quoted = true
		case c == ',' && !inQuote:
			flush()
		case inQuote || !quoted:
			cur.WriteByte(c)
		}
	}
	flush()
	return items
}
