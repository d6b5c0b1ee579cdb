package templates

import (
	"fmt"
	"strings"
)

// htmlState is the tokenizer state of the context scanner. It follows the
// HTML tokenizer closely enough to know where every placeholder lands, and
// errs on the side of refusing: if a placeholder's context is unclear, the
// template is refused.
type htmlState uint8

const (
	stText          htmlState = iota // data
	stTagOpen                        // after '<'
	stEndTagOpen                     // after "</"
	stMarkupOpen                     // after "<!"
	stMarkupDash                     // after "<!-"
	stComment                        // inside <!-- -->
	stBogus                          // <!doctype>, <?...>, </ ...>
	stTagName                        // element name
	stTag                            // inside a tag, before an attribute name
	stAttrName                       // attribute name
	stAfterAttrName                  // after an attribute name
	stBeforeValue                    // after '='
	stAttrQuoted                     // quoted attribute value
	stAttrUnquoted                   // unquoted attribute value
	stRCDATA                         // <title>, <textarea>
	stRawText                        // <style>, <xmp>, <iframe>, <noembed>, <noframes>
	stScript                         // <script>
	stPlaintext                      // <plaintext>
)

// String names the state for error messages.
func (st htmlState) String() string {
	switch st {
	case stText:
		return "HTML text"
	case stTagOpen:
		return "'<'"
	case stEndTagOpen:
		return "\"</\""
	case stMarkupOpen:
		return "\"<!\""
	case stMarkupDash:
		return "\"<!-\""
	case stComment:
		return "an HTML comment"
	case stBogus:
		return "a markup declaration"
	case stTagName:
		return "an element name"
	case stTag:
		return "a tag"
	case stAttrName:
		return "an attribute name"
	case stAfterAttrName:
		return "a tag"
	case stBeforeValue:
		return "a tag"
	case stAttrQuoted:
		return "an attribute value"
	case stAttrUnquoted:
		return "an unquoted attribute value"
	case stRCDATA:
		return "a <title> or <textarea> element"
	case stRawText:
		return "a raw text element"
	case stScript:
		return "a <script> element"
	case stPlaintext:
		return "a <plaintext> element"
	}
	return "an unknown context"
}

// scanner classifies placeholders by the context they appear in.
type scanner struct {
	name string // template file name, for errors
	line int

	state htmlState

	elem     []byte // element name of the tag being scanned (lower case)
	endTag   bool   // the tag being scanned is an end tag
	tagSlash bool   // the last character of the tag was '/' ("<br/>")

	attr []byte // attribute name being scanned (lower case)
	// value is the literal text of the attribute value since its start or
	// its last placeholder.
	value     []byte
	quote     byte
	valueTags int // placeholders so far in the attribute value
	// urlOpen: the value is a URL whose scheme is still undecided (no
	// ':', '/', '?' or '#' so far). urlTag is the placeholder written
	// while it was, whose value may still be read as part of the scheme.
	urlOpen bool
	urlTag  string
	// wholeTag is a placeholder that must be the whole attribute value.
	wholeTag string

	// scriptType and scriptLang are the type and language attributes of
	// the <script> start tag being scanned; scriptTyped says the type
	// attribute is present.
	scriptType    string
	scriptTyped   bool
	scriptLang    string
	scriptLangSet bool
	// skipAttr: the attribute is a repeat, which browsers ignore.
	skipAttr bool
	// scriptData is why placeholders are refused in the current <script>
	// element because of its type, or "".
	scriptData string

	// foreign holds the open <svg> and <math> elements: inside them the
	// browser tokenizes differently, see finishTag.
	foreign []string
	// rawStrict: the current raw text or RCDATA element is inside <svg> or
	// <math>, where browsers parse markup in it; the only '<' allowed in
	// it starts its end tag.
	rawStrict bool
	// rawElements: the template has <script>, <style>, <title>,
	// <textarea> or another element whose text browsers parse
	// differently inside <svg> and <math>.
	rawElements bool

	commentPos  int    // characters seen since "<!--"
	commentDash int    // trailing '-' count in a comment
	commentBang bool   // saw "--!" in a comment
	rawEnd      string // "</title", "</script", ... ending the current raw text
	rawEndMatch int    // characters of rawEnd matched so far
	scriptOpen  int    // characters of "<!--" matched so far in a script
	js          jsScan
}

func newScanner(name string) *scanner {
	return &scanner{name: name, line: 1}
}

func (s *scanner) errorf(format string, args ...any) error {
	return &ParseError{Template: s.name, Line: s.line, Reason: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// literal feeds template text that is not a placeholder.
func (s *scanner) literal(text string) error {
	for i := 0; i < len(text); i++ {
		c := text[i]
		for {
			reprocess, err := s.step(c)
			if err != nil {
				return err
			}
			if !reprocess {
				break
			}
		}
		if c == '\n' {
			s.line++
		}
	}
	return nil
}

// step consumes one character. It reports whether the character must be
// processed again in the new state.
func (s *scanner) step(c byte) (bool, error) {
	switch s.state {
	case stText:
		if c == '<' {
			s.state = stTagOpen
		}
	case stTagOpen:
		switch {
		case isLetter(c):
			s.startTag(c, false)
		case c == '/':
			s.state = stEndTagOpen
		case c == '!':
			s.state = stMarkupOpen
		case c == '?':
			s.state = stBogus
		default:
			s.state = stText
			return true, nil
		}
	case stEndTagOpen:
		switch {
		case isLetter(c):
			s.startTag(c, true)
		case c == '>':
			s.state = stText
		default:
			s.state = stBogus
		}
	case stMarkupOpen:
		switch c {
		case '-':
			s.state = stMarkupDash
			return false, nil
		case '[':
			// "<![CDATA[" is a bogus comment in HTML but a CDATA section
			// inside <svg> and <math>, which ends elsewhere.
			return false, s.errorf(`"<![" (a CDATA section) is not supported`)
		}
		s.state = stBogus
		return true, nil
	case stMarkupDash:
		if c == '-' {
			s.state = stComment
			s.commentPos, s.commentDash, s.commentBang = 0, 0, false
			return false, nil
		}
		s.state = stBogus
		return true, nil
	case stComment:
		s.stepComment(c)
	case stBogus:
		if c == '>' {
			s.state = stText
		}
	case stTagName:
		switch {
		case isSpace(c), c == '/':
			s.state = stTag
		case c == '>':
			return false, s.finishTag()
		default:
			s.elem = append(s.elem, lower(c))
		}
		s.tagSlash = c == '/'
	case stTag:
		switch {
		case isSpace(c), c == '/':
		case c == '>':
			return false, s.finishTag()
		default:
			s.attr = append(s.attr[:0], lower(c))
			s.state = stAttrName
		}
		s.tagSlash = c == '/'
	case stAttrName:
		switch {
		case isSpace(c):
			s.attrNamed()
			s.state = stAfterAttrName
		case c == '/':
			s.attrNamed()
			s.state = stTag
		case c == '=':
			s.attrNamed()
			s.state = stBeforeValue
		case c == '>':
			s.attrNamed()
			return false, s.finishTag()
		default:
			s.attr = append(s.attr, lower(c))
		}
		s.tagSlash = c == '/'
	case stAfterAttrName:
		switch {
		case isSpace(c):
		case c == '/':
			s.state = stTag
		case c == '=':
			s.state = stBeforeValue
		case c == '>':
			return false, s.finishTag()
		default:
			s.attr = append(s.attr[:0], lower(c))
			s.state = stAttrName
		}
		s.tagSlash = c == '/'
	case stBeforeValue:
		s.tagSlash = false
		switch {
		case isSpace(c):
		case c == '"', c == '\'':
			s.startValue(c)
			s.state = stAttrQuoted
		case c == '>':
			return false, s.finishTag()
		default:
			s.startValue(0)
			s.state = stAttrUnquoted
			return true, nil
		}
	case stAttrQuoted:
		if c == s.quote {
			s.state = stTag
			return false, s.endValue()
		}
		if s.wholeTag != "" && !isSpace(c) {
			return false, &ParseError{Template: s.name, Line: s.line, Tag: s.wholeTag,
				Reason: fmt.Sprintf("a placeholder that starts the URL of %q must be its whole value: %s", string(s.attr), siteURLReason)}
		}
		s.value = append(s.value, c)
	case stAttrUnquoted:
		switch {
		case isSpace(c):
			s.state = stTag
			return false, s.endValue()
		case c == '>':
			if err := s.endValue(); err != nil {
				return false, err
			}
			return false, s.finishTag()
		default:
			s.value = append(s.value, c)
		}
	case stRCDATA, stRawText:
		return false, s.stepRaw(c)
	case stScript:
		if s.matchRawEnd(c) {
			return false, nil
		}
		if c == "<!--"[s.scriptOpen] {
			s.scriptOpen++
			if s.scriptOpen == len("<!--") {
				return false, s.errorf(`"<!--" inside <script> is not supported`)
			}
		} else if c == '<' {
			s.scriptOpen = 1
		} else {
			s.scriptOpen = 0
		}
		for s.js.step(c, s.line) {
		}
	case stPlaintext:
	}
	return false, nil
}

// stepRaw consumes a character of a raw text or RCDATA element. Inside
// <svg> and <math> browsers parse markup there, so the only '<' allowed
// starts the element's end tag.
func (s *scanner) stepRaw(c byte) error {
	prev := s.rawEndMatch
	if s.matchRawEnd(c) || !s.rawStrict || prev == 0 || s.rawEndMatch == prev+1 {
		return nil
	}
	return s.errorf("markup inside <%s> within <svg> or <math> is not supported: browsers parse it there; keep its content plain text", s.rawEnd[2:])
}

// startValue starts an attribute value quoted with quote (0: unquoted).
func (s *scanner) startValue(quote byte) {
	s.quote = quote
	s.value = s.value[:0]
	s.valueTags = 0
	s.urlOpen = !s.endTag && isURLAttr(string(s.attr))
	s.urlTag, s.wholeTag = "", ""
}

// attrNamed is called when an attribute name is complete. It notes the
// type and language of a <script>; browsers use the first of repeated
// attributes.
func (s *scanner) attrNamed() {
	s.skipAttr = false
	if s.endTag || string(s.elem) != "script" {
		return
	}
	switch string(s.attr) {
	case "type":
		s.skipAttr = s.scriptTyped
		s.scriptTyped = true
	case "language":
		s.skipAttr = s.scriptLangSet
		s.scriptLangSet = true
	}
}

// endValue is called at the end of an attribute value. A URL whose scheme
// was still open at a placeholder may not get its ':' after it: the
// placeholder's value would then be part of the scheme ("java" +
// "script:").
func (s *scanner) endValue() error {
	if s.urlOpen && s.urlTag != "" {
		text := urlText(decodeAttr(string(s.value), s.quote), false)
		if i := strings.IndexAny(text, ":/?#"); i >= 0 && text[i] == ':' {
			return &ParseError{Template: s.name, Line: s.line, Tag: s.urlTag, Reason: fmt.Sprintf(colonAfterReason, string(s.attr))}
		}
	}
	if s.skipAttr || s.valueTags > 0 || s.endTag || string(s.elem) != "script" {
		return nil
	}
	switch string(s.attr) {
	case "type":
		s.scriptType = decodeAttr(string(s.value), s.quote)
	case "language":
		s.scriptLang = decodeAttr(string(s.value), s.quote)
	}
	return nil
}

// colonAfterReason explains the refusal of a ':' after a placeholder in a
// URL whose scheme was still open; %q is the attribute.
const colonAfterReason = "the ':' after it in %q would make its value part of the URL scheme (\"java\" + \"script:\"); write the scheme before the placeholder"

// siteURLReason explains the rules for URLs that load code.
const siteURLReason = "the attribute loads code or styles into the page, so its value must be a path on this site"

func (s *scanner) startTag(c byte, end bool) {
	s.elem = append(s.elem[:0], lower(c))
	s.endTag = end
	s.tagSlash = false
	s.state = stTagName
	if !end {
		s.scriptType, s.scriptTyped, s.scriptLang, s.scriptLangSet = "", false, "", false
	}
}

func (s *scanner) stepComment(c byte) {
	switch c {
	case '>':
		// "-->", "--!>", and the abrupt "<!-->" and "<!--->".
		if s.commentDash >= 2 || s.commentPos == 0 || (s.commentPos == 1 && s.commentDash == 1) {
			s.state = stText
			return
		}
		s.commentDash, s.commentBang = 0, false
	case '!':
		if s.commentDash >= 2 && !s.commentBang {
			s.commentBang = true
		} else {
			s.commentDash, s.commentBang = 0, false
		}
	case '-':
		if s.commentBang {
			s.commentDash, s.commentBang = 1, false
		} else {
			s.commentDash++
		}
	default:
		s.commentDash, s.commentBang = 0, false
	}
	s.commentPos++
}

// isForeignRoot reports whether elem starts foreign content.
func isForeignRoot(elem string) bool { return elem == "svg" || elem == "math" }

// finishTag handles the '>' closing a start or end tag.
//
// Inside <svg> and <math> browsers tokenize the text of <style>, <title>,
// <textarea> and the like as markup rather than raw text, and decode
// character references in <script>. The scanner keeps a stack of open
// <svg> and <math> elements (erring towards "inside") and there refuses
// <script> and any markup in those elements, so both readings agree.
func (s *scanner) finishTag() error {
	elem := string(s.elem)
	if s.endTag {
		s.state = stText
		if isForeignRoot(elem) {
			for i := len(s.foreign) - 1; i >= 0; i-- {
				if s.foreign[i] == elem {
					s.foreign = s.foreign[:i]
					break
				}
			}
		}
		return nil
	}
	foreign := len(s.foreign) > 0
	switch elem {
	case "script":
		if foreign {
			return s.errorf("<script> inside <svg> or <math> is not supported: browsers decode its text as markup there")
		}
		s.rawElements = true
		s.enterRaw(stScript, elem)
		s.js.reset()
		s.scriptOpen = 0
		s.scriptData = scriptDataReason(s.scriptType, s.scriptTyped, s.scriptLang)
	case "style", "xmp", "iframe", "noembed", "noframes":
		s.rawElements = true
		s.enterRaw(stRawText, elem)
	case "title", "textarea":
		s.rawElements = true
		s.enterRaw(stRCDATA, elem)
	case "plaintext":
		s.rawElements = true
		s.state = stPlaintext
	default:
		if isForeignRoot(elem) && !s.tagSlash {
			s.foreign = append(s.foreign, elem)
		}
		s.state = stText
	}
	return nil
}

func (s *scanner) enterRaw(st htmlState, elem string) {
	s.state = st
	s.rawEnd = "</" + elem
	s.rawEndMatch = 0
	s.rawStrict = len(s.foreign) > 0
}

// matchRawEnd advances the search for the end tag of a raw text or RCDATA
// element and reports whether c completed it (c then belongs to the end
// tag).
func (s *scanner) matchRawEnd(c byte) bool {
	if s.rawEndMatch == len(s.rawEnd) {
		s.rawEndMatch = 0
		switch {
		case isSpace(c), c == '/':
			s.elem = append(s.elem[:0], s.rawEnd[2:]...)
			s.endTag = true
			s.state = stTag
			return true
		case c == '>':
			s.state = stText
			return true
		}
	}
	switch {
	case lower(c) == s.rawEnd[s.rawEndMatch]:
		s.rawEndMatch++
	case c == '<':
		s.rawEndMatch = 1
	default:
		s.rawEndMatch = 0
	}
	return false
}

// scriptDataReason returns why placeholders are refused in a <script>
// with the given type attribute (typed: present) and language attribute,
// or "" for JavaScript and JSON, whose string literals the JS-string
// escaper fits. It follows the HTML standard's choice of a script's type.
func scriptDataReason(typ string, typed bool, language string) string {
	if !typed && language != "" {
		typ = "text/" + language
	}
	t := strings.ToLower(strings.Trim(typ, " \t\n\f\r"))
	switch t {
	case "", "module", "application/ecmascript", "application/javascript", "application/x-ecmascript",
		"application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
		"text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
		"text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
		"application/json", "text/json":
		return ""
	case "importmap", "speculationrules":
		return fmt.Sprintf("a <script type=%q> decides which code the page loads or prefetches", t)
	}
	if strings.HasSuffix(t, "+json") {
		return ""
	}
	return fmt.Sprintf("a <script type=%q> is not run by the browser and scripts may read its text as HTML, so no escaping fits it; use type=\"application/json\"", t)
}

// placeholder classifies a placeholder at the current position. raw
// reports a {{raw:...}} placeholder; tag is the placeholder as written.
func (s *scanner) placeholder(tag string, raw bool) (escContext, error) {
	refuse := func(format string, args ...any) (escContext, error) {
		return 0, &ParseError{Template: s.name, Line: s.line, Tag: tag, Reason: fmt.Sprintf(format, args...)}
	}
	if raw && s.state != stText {
		return refuse("raw placeholders are only allowed in HTML text, not in %s", s.state)
	}
	switch s.state {
	case stText:
		switch {
		case raw && len(s.foreign) > 0:
			return ctxRawForeign, nil
		case raw:
			return ctxRaw, nil
		}
		return ctxText, nil
	case stRCDATA:
		if s.rawEndMatch > 0 {
			return refuse("placeholder inside the closing tag %q", s.rawEnd)
		}
		return ctxText, nil
	case stTagOpen, stEndTagOpen, stTagName:
		return refuse("placeholder in an element name")
	case stTag, stAttrName, stAfterAttrName:
		return refuse("placeholder in an attribute name position; attributes must be written in the template")
	case stBeforeValue, stAttrUnquoted:
		return refuse("placeholder in an unquoted attribute value; quote the value")
	case stAttrQuoted:
		return s.attrPlaceholder(tag, refuse)
	case stComment, stMarkupOpen, stMarkupDash:
		return refuse("placeholder inside an HTML comment")
	case stBogus:
		return refuse("placeholder inside a markup declaration or bogus comment")
	case stRawText:
		if s.rawEnd == "</style" {
			return refuse("placeholder inside <style>: CSS is not supported; use a class")
		}
		return refuse("placeholder inside raw text element <%s>", s.rawEnd[2:])
	case stScript:
		return s.scriptPlaceholder(refuse)
	case stPlaintext:
		return refuse("placeholder inside <plaintext>")
	}
	return refuse("placeholder in unknown context")
}

// attrPlaceholder classifies a placeholder in a quoted attribute value.
//
// In a URL attribute the scheme decides whether the URL runs script, so
// the literal text before the placeholder is read as the browser reads it
// (character references decoded, tabs and newlines removed, leading
// spaces and controls stripped). A placeholder at the start gets the URL
// escaper, which checks the scheme of the value at render time; after a
// literal ':' only the allowed schemes may precede it; while no ':', '/',
// '?' or '#' has come yet, its value could still become part of the
// scheme, so it may neither complete a character reference nor be
// followed by a ':'.
func (s *scanner) attrPlaceholder(tag string, refuse func(string, ...any) (escContext, error)) (escContext, error) {
	attr, elem := string(s.attr), string(s.elem)
	if s.endTag {
		return refuse("placeholder in an attribute of end tag </%s>", elem)
	}
	if reason := refusedAttr(elem, attr); reason != "" {
		return refuse("%s", reason)
	}
	if s.wholeTag != "" {
		return refuse("a placeholder that starts the URL of %q must be its whole value: %s", attr, siteURLReason)
	}
	raw := string(s.value)
	first := s.valueTags == 0
	s.valueTags++
	s.value = s.value[:0]
	if !isURLAttr(attr) {
		return ctxAttr, nil
	}
	if !s.urlOpen {
		return ctxURLPart, nil
	}
	site := loadsCode(elem, attr)
	// An unfinished character reference at the end is read with the
	// value that follows it, so only the text before it is decided.
	body, partial := raw, endsInCharRef(raw)
	if partial {
		body = raw[:strings.LastIndexByte(raw, '&')]
	}
	text := urlText(decodeAttr(body, s.quote), first)
	if i := strings.IndexAny(text, ":/?#"); i >= 0 {
		s.urlOpen = false
		if text[i] == ':' {
			if s.urlTag != "" {
				return 0, &ParseError{Template: s.name, Line: s.line, Tag: s.urlTag, Reason: fmt.Sprintf(colonAfterReason, attr)}
			}
			if !allowedScheme(text[:i]) {
				return refuse("URL attribute %q starts with scheme %q; only http, https, mailto and tel may be followed by placeholders", attr, text[:i])
			}
		}
		if site && first && hasAuthority(text) && !hostEnds(text) {
			return refuse("the placeholder could choose the server of %q; %s, or a URL whose host is written out before the placeholder", attr, siteURLReason)
		}
		return ctxURLPart, nil
	}
	// The scheme is still open: the value may continue it.
	if partial {
		return refuse("placeholder right after an unfinished character reference in URL attribute %q; its value could complete it (\"&#5\" + \"8\" is ':')", attr)
	}
	s.urlTag = tag
	if first && text == "" {
		if site {
			s.wholeTag = tag
			return ctxSiteURL, nil
		}
		return ctxURL, nil
	}
	return ctxURLPart, nil
}

func (s *scanner) scriptPlaceholder(refuse func(string, ...any) (escContext, error)) (escContext, error) {
	switch {
	case s.scriptData != "":
		return refuse("placeholder inside <script>: %s", s.scriptData)
	case s.rawEndMatch > 0 || s.scriptOpen > 0:
		return refuse("placeholder directly after '<' inside <script>")
	case s.js.unsure != "":
		return refuse("placeholder inside <script> after %s: the scanner cannot tell strings from code after it; "+
			"pass the value in a JSON data block (<script type=\"application/json\">) or before that point", s.js.unsure)
	case s.js.state == jsTemplate:
		return refuse("placeholder inside a JS template literal; use a quoted string")
	case s.js.state != jsDQ && s.js.state != jsSQ:
		return refuse("placeholder inside <script> outside a quoted JS string literal")
	case s.js.escape:
		return refuse("placeholder directly after a backslash in a JS string")
	}
	return ctxJSString, nil
}

// end checks the state at the end of the template: every template must end
// in HTML text, outside <svg> and <math>, so its output can be inserted
// into another as a unit.
func (s *scanner) end() error {
	if s.state != stText {
		return s.errorf("template ends inside %s; it must end in HTML text", s.state)
	}
	if n := len(s.foreign); n > 0 {
		return s.errorf("template ends inside <%s>; it must close every <svg> and <math> it opens", s.foreign[n-1])
	}
	return nil
}
