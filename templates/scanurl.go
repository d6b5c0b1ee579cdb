package templates

import (
	"strings"

	"golang.org/x/net/html"
)

// decodeAttr returns raw, the literal text of an attribute value quoted
// with quote (0 for an unquoted value), as a browser reads it: character references (named, with
// or without ';', decimal and hexadecimal) decoded by the rules for
// attribute values.
func decodeAttr(raw string, quote byte) string {
	if !strings.ContainsRune(raw, '&') {
		return raw
	}
	q := ""
	if quote != 0 {
		q = string(quote)
	}
	z := html.NewTokenizer(strings.NewReader("<a v=" + q + raw + q + ">"))
	if z.Next() != html.StartTagToken {
		return raw
	}
	_, val, _ := z.TagAttr()
	return string(val)
}

// urlText prepares decoded attribute text the way the URL parser does
// before it reads a scheme: tabs and newlines are removed everywhere and,
// at the start of the value, C0 controls and spaces are stripped.
// Backslashes count as slashes, as they do in http(s) URLs.
func urlText(s string, atStart bool) string {
	if atStart {
		s = strings.TrimLeft(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f"+
			"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	}
	return urlTextReplacer.Replace(s)
}

// urlTextReplacer removes tabs and newlines and turns backslashes into
// slashes; a Replacer is safe for concurrent use.
var urlTextReplacer = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/")

// endsInCharRef reports whether raw ends inside what may still become a
// character reference ("&", "&#5", "&#x3", "&colo"), which a placeholder
// written right after it could complete.
func endsInCharRef(raw string) bool {
	i := strings.LastIndexByte(raw, '&')
	if i < 0 {
		return false
	}
	rest := raw[i+1:]
	if strings.HasPrefix(rest, "#") {
		rest = rest[1:]
		if strings.HasPrefix(rest, "x") || strings.HasPrefix(rest, "X") {
			rest = rest[1:]
		}
	}
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if !isLetter(c) && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// hostEnds reports whether prefix, the start of a URL that has a scheme
// or starts with "//", already names its whole host: after the scheme
// and the slashes comes a host ended by '/', '?' or '#'. A placeholder
// after such a prefix cannot choose the server the URL points to.
func hostEnds(prefix string) bool {
	rest := prefix
	if i := strings.IndexByte(rest, ':'); i >= 0 && !strings.ContainsAny(rest[:i], "/?#") {
		rest = rest[i+1:]
	}
	rest = strings.TrimLeft(rest, "/")
	i := strings.IndexAny(rest, "/?#")
	return i > 0
}

// hasAuthority reports whether prefix (as urlText leaves it) starts with
// a scheme or with "//", so that it names a server.
func hasAuthority(prefix string) bool {
	if strings.HasPrefix(prefix, "//") {
		return true
	}
	i := strings.IndexAny(prefix, ":/?#")
	return i >= 0 && prefix[i] == ':'
}
