// Package templates renders the service's HTML pages with
// github.com/valyala/fasttemplate and is the one place where values are
// escaped for the context they land in: its pages and partials through
// Render and RenderHTML, and the Carerix document templates that package
// provisioning fills through the same escapers, exported as EscapeAttr,
// EscapeURLComponent and EscapeURL.
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
//     cite, data, xlink:href, ...): only http, https, mailto, tel and
//     relative URLs pass; anything else becomes "about:invalid#blocked".
//     The URL is then normalised and HTML-escaped.
//   - The whole value of an attribute that loads code or styles or sets
//     the base URL (<script src>, <link href>, <base href>, <object data>,
//     <embed src>): only a URL on this site (no scheme, no leading "//")
//     passes, else "about:invalid#blocked".
//   - Later in a URL attribute (path segment, query string, fragment):
//     percent-encoded as a URL component (only RFC 3986 unreserved
//     characters are kept), so "?q={{query}}" and "/c/{{id}}" are both safe.
//   - Inside a quoted string literal in a <script> element of JavaScript or
//     JSON: JS-string escaped with \uXXXX escapes, so the value can
//     neither end the string nor the script element.
//
// The literal text of a URL attribute before a placeholder is read as the
// browser reads it: character references decoded ("javascript&colon;" is
// "javascript:"), tabs and newlines removed, leading spaces and control
// characters stripped. Only http, https, mailto and tel may precede a
// placeholder; while no ':', '/', '?' or '#' has come, the value could
// still become part of the scheme, so the placeholder may neither complete
// a character reference ("&#5{{v}}") nor be followed by a ':'
// ("{{v}}:alert(1)"). In an attribute that loads code a placeholder after
// literal text may not choose the server ("//{{host}}/a.js").
//
// Placeholders anywhere else are refused when the template is loaded, with
// an error naming the template, the placeholder and the line: element and
// attribute names, unquoted attribute values, event handler attributes
// (on*), style attributes and <style> elements, srcset, srcdoc, ping,
// content and http-equiv (a <meta> refresh URL or policy), sandbox and
// allow (a frame's powers), charset, a script's type and language and a
// link's rel and as, HTML comments and doctype-like declarations, <script>
// code outside a quoted string, and every placeholder in a <script> after
// a point where the scanner cannot tell strings from code: a '/' that may
// start a regular expression or divide (after ')', '}', '.', of, yield or
// await), a template literal substitution "${", "-->", or a string or
// regular expression running past its line. So are placeholders in script
// elements that are not JavaScript or JSON (data blocks such as
// text/html, import maps, speculation rules).
//
// Inside <svg> and <math> browsers parse the text of <style>, <title>,
// <textarea> and the like as markup and decode character references in
// <script>, so there the scanner refuses <script>, CDATA sections and any
// markup in those elements, and a {{raw:...}} placeholder refuses HTML
// that has such an element (ErrHTMLInForeign). A template must end in HTML
// text context, outside <svg> and <math>, so a rendered partial can always
// be inserted into a page as a unit.
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
// attribute, or a quoted string in a JSON data block (<script
// type="application/json">).
package templates
