// Package templates renders the service's HTML pages with
// github.com/valyala/fasttemplate and is the one place where values are
// escaped for the HTML context they land in.
//
// # How escaping works
//
// fasttemplate substitutes {{name}} placeholders and escapes nothing. At
// startup, New scans every template once with a small HTML context scanner
// and decides, per placeholder, which escaper applies:
//
//   - HTML text (also inside <title> and <textarea>): HTML-escaped.
//   - A quoted attribute value: HTML-escaped (both quote kinds).
//   - The start of a URL attribute (href, src, action, formaction, poster,
//     cite, data, ...): only http, https, mailto, tel and relative URLs pass;
//     anything else becomes "about:invalid#blocked". The URL is then
//     normalised and HTML-escaped.
//   - Later in a URL attribute (path segment, query string, fragment):
//     percent-encoded as a URL component (only RFC 3986 unreserved
//     characters are kept), so "?q={{query}}" and "/c/{{id}}" are both safe.
//   - Inside a quoted string literal in a <script> element: JS-string escaped
//     with \uXXXX escapes, so the value can neither end the string nor the
//     script element.
//
// Placeholders anywhere else are refused when the template is loaded, with
// an error naming the template, the placeholder and the line: element and
// attribute names, unquoted attribute values, event handler attributes
// (on*), style attributes and <style> elements, srcset, srcdoc, HTML
// comments and doctype-like declarations, and <script> code outside a
// quoted string. A template must also end in HTML text context, so a
// rendered partial can always be inserted into a page as a unit.
//
// The only opt-out is {{raw:name}}, allowed only in HTML text, whose value
// must be of type HTML. HTML values come from Registry.RenderHTML (the
// output of another template), Join, or TrustedHTML (compile-time
// constants only). A plain string passed to a raw placeholder is a render
// error, and so is a missing value: there are no optional placeholders.
//
// fasttemplate has no control flow. Lists are built by rendering a partial
// once per item with RenderHTML, joining the results with Join, and passing
// the joined HTML to a {{raw:...}} placeholder.
//
// # Adding a page
//
//  1. Create pages/<name>.html with the page body (everything inside <main>).
//     Use {{key}} placeholders for values and {{raw:key}} for rendered
//     partials. Put repeated fragments in partials/<name>.html.
//  2. Render it with Registry.Render(w, "<name>", v), where v starts from
//     Layout.Values() (lang, title, stylesheet and script URLs, CSP nonce)
//     and adds every key the page uses. User-visible wording comes from the
//     Catalog (locales/en.json and locales/nl.json, same keys in both).
//  3. Add a golden render of the page (see testdata/) and a test with
//     hostile values; go test -run Golden -update rewrites golden files.
//
// If New reports an error for the new file, the placeholder sits in a
// context that cannot be escaped safely; move it to text, a quoted
// attribute, or a quoted JS string.
package templates
