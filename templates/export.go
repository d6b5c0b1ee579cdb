package templates

// The escapers Render uses, for markup this package does not render: the
// document templates provisioning installs in Carerix are XML (CxScript)
// filled with fasttemplate, and their values go through these.

// EscapeAttr returns s escaped for a quoted attribute value, of either
// quote kind, as Render escapes a placeholder in an attribute: '&', '<',
// '>' and both quote characters become character references, and so does
// CR; NUL and invalid UTF-8 become U+FFFD. The result is also a valid XML
// attribute value when s has no other control characters.
func EscapeAttr(s string) string {
	return string(appendHTMLEscaped(nil, s))
}

// EscapeURLComponent returns s percent-encoded except for the RFC 3986
// unreserved characters (letters, digits, '-', '.', '_', '~'), as Render
// escapes a placeholder after the start of a URL attribute. The result is
// one path segment, query value or fragment, and needs no further escaping
// in an attribute.
func EscapeURLComponent(s string) string {
	return string(appendURLComponentEscaped(nil, s))
}

// EscapeURL returns s escaped as the whole URL of an attribute, as Render
// escapes a placeholder at the start of a URL attribute: a URL with a
// scheme other than http, https, mailto or tel becomes
// "about:invalid#blocked"; otherwise characters not valid in a URL are
// percent-encoded and '&' becomes "&amp;".
func EscapeURL(s string) string {
	return string(appendURLEscaped(nil, s))
}
