package templates

import (
	"strings"
	"unicode/utf8"
)

// The escapers below append the escaped form of s to dst. Each one maps
// invalid UTF-8 to U+FFFD (one per invalid byte), so rendered pages are
// always valid UTF-8.

const replacementChar = "\uFFFD"

// appendHTMLEscaped escapes s for HTML text, RCDATA (<title>, <textarea>)
// and quoted attribute values of either quote kind.
func appendHTMLEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		if c < utf8.RuneSelf {
			switch c {
			case '&':
				rep = "&amp;"
			case '<':
				rep = "&lt;"
			case '>':
				rep = "&gt;"
			case '"':
				rep = "&#34;"
			case '\'':
				rep = "&#39;"
			case '\r':
				// HTML parsers turn a raw CR into LF; a reference keeps it.
				rep = "&#13;"
			case 0:
				rep = replacementChar
			default:
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
			rep = replacementChar
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, rep...)
		i++
		last = i
	}
	return append(dst, s[last:]...)
}

const hexDigits = "0123456789ABCDEF"

// appendJSStringEscaped escapes s for a JS (or JSON) string literal in
// single or double quotes inside a <script> element. Only \\ and \uXXXX
// escapes are used, which JavaScript and JSON both accept. '<', '>' and '&'
// are escaped so "</script" and "<!--" can never appear in the output.
func appendJSStringEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\':
				dst = append(dst, s[last:i]...)
				dst = append(dst, `\\`...)
			case c < 0x20, c == 0x7F, c == '"', c == '\'', c == '`', c == '<', c == '>', c == '&', c == '/', c == '$':
				dst = append(dst, s[last:i]...)
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				i++
				continue
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[last:i]...)
			dst = append(dst, `\uFFFD`...)
		case r == '\u2028':
			dst = append(dst, s[last:i]...)
			dst = append(dst, `\u2028`...)
		case r == '\u2029':
			dst = append(dst, s[last:i]...)
			dst = append(dst, `\u2029`...)
		default:
			i += n
			continue
		}
		i += n
		last = i
	}
	return append(dst, s[last:]...)
}

// isUnreserved reports whether c is an RFC 3986 unreserved character.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func appendPercent(dst []byte, c byte) []byte {
	return append(dst, '%', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendURLComponentEscaped percent-encodes every byte of s except RFC 3986
// unreserved characters. The result is safe as a path segment, a query
// key or value, or a fragment, and needs no further HTML escaping.
func appendURLComponentEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isUnreserved(c) {
				dst = append(dst, c)
			} else {
				dst = appendPercent(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = appendPercentString(dst, replacementChar)
		} else {
			dst = appendPercentString(dst, s[i:i+n])
		}
		i += n
	}
	return dst
}

func appendPercentString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = appendPercent(dst, s[i])
	}
	return dst
}

// blockedURL replaces a URL whose scheme is not allowed.
const blockedURL = "about:invalid#blocked"

// urlAllowed reports whether s is a relative URL or uses one of the allowed
// schemes (http, https, mailto, tel). Anything that looks like it has a
// scheme, including one with leading spaces or control characters that
// browsers would strip, is checked against the list.
func urlAllowed(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/', '?', '#':
			return true
		case ':':
			return asciiEqualFold(s[:i], "http") || asciiEqualFold(s[:i], "https") ||
				asciiEqualFold(s[:i], "mailto") || asciiEqualFold(s[:i], "tel")
		}
	}
	return true
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// siteURLAllowed reports whether s is a URL on this site: a relative URL
// that names no server (no scheme and no leading "//"). A backslash
// cannot stand for a slash: appendURLNormalised percent-encodes it.
func siteURLAllowed(s string) bool {
	if strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/', '?', '#':
			return true
		case ':':
			return false
		}
	}
	return true
}

// appendURLEscaped writes s as a whole URL attribute value: blocked unless
// urlAllowed, then normalised (see appendURLNormalised).
func appendURLEscaped(dst []byte, s string) []byte {
	if !urlAllowed(s) {
		return append(dst, blockedURL...)
	}
	return appendURLNormalised(dst, s)
}

// appendSiteURLEscaped writes s as the whole value of an attribute that
// loads code or styles: blocked unless siteURLAllowed, then normalised.
func appendSiteURLEscaped(dst []byte, s string) []byte {
	if !siteURLAllowed(s) {
		return append(dst, blockedURL...)
	}
	return appendURLNormalised(dst, s)
}

// appendURLNormalised writes the URL s normalised (characters not valid in
// a URL are percent-encoded, existing %XX escapes and reserved characters
// are kept) and HTML-escaped ('&' becomes "&amp;").
func appendURLNormalised(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case isUnreserved(c):
				dst = append(dst, c)
			case c == '&':
				dst = append(dst, "&amp;"...)
			case c == '!', c == '#', c == '$', c == '*', c == '+', c == ',', c == '/', c == ':',
				c == ';', c == '=', c == '?', c == '@', c == '[', c == ']', c == '%':
				dst = append(dst, c)
			default:
				// Includes quotes, parentheses, spaces, '<', '>', '\\' and
				// control characters.
				dst = appendPercent(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = appendPercentString(dst, replacementChar)
		} else {
			dst = appendPercentString(dst, s[i:i+n])
		}
		i += n
	}
	return dst
}
