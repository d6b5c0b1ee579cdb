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

// jsState tracks just enough JavaScript to know whether a placeholder in a
// <script> element is inside a quoted string literal.
type jsState uint8

const (
	jsCode jsState = iota
	jsDQ
	jsSQ
	jsTemplate
	jsLineComment
	jsBlockComment
	jsRegex
	jsRegexClass
)

// scanner classifies placeholders by the context they appear in.
type scanner struct {
	name string // template file name, for errors
	line int

	state htmlState

	elem   []byte // element name of the tag being scanned (lower case)
	endTag bool   // the tag being scanned is an end tag

	attr         []byte // attribute name being scanned (lower case)
	quote        byte
	valuePrefix  []byte // literal text of the attribute value before any placeholder
	valueHasTag  bool   // a placeholder has appeared in the attribute value
	commentPos   int    // characters seen since "<!--"
	commentDash  int    // trailing '-' count in a comment
	commentBang  bool   // saw "--!" in a comment
	rawEnd       string // "</title", "</script", ... ending the current raw text
	rawEndMatch  int    // characters of rawEnd matched so far
	scriptOpen   int    // characters of "<!--" matched so far in a script
	js           jsState
	jsEscape     bool   // a backslash is pending in a JS string or regexp
	jsSlash      bool   // a '/' is pending in JS code
	jsSlashRegex bool   // the pending '/' would start a regexp literal
	jsStar       bool   // previous character in a block comment was '*'
	jsWord       []byte // last identifier-like token in JS code
	jsInWord     bool
	jsLast       byte // last punctuation character in JS code
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
		if c == '-' {
			s.state = stMarkupDash
			return false, nil
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
	case stTag:
		switch {
		case isSpace(c), c == '/':
		case c == '>':
			return false, s.finishTag()
		default:
			s.attr = append(s.attr[:0], lower(c))
			s.state = stAttrName
		}
	case stAttrName:
		switch {
		case isSpace(c):
			s.state = stAfterAttrName
		case c == '/':
			s.state = stTag
		case c == '=':
			s.state = stBeforeValue
		case c == '>':
			return false, s.finishTag()
		default:
			s.attr = append(s.attr, lower(c))
		}
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
	case stBeforeValue:
		switch {
		case isSpace(c):
		case c == '"', c == '\'':
			s.quote = c
			s.valuePrefix = s.valuePrefix[:0]
			s.valueHasTag = false
			s.state = stAttrQuoted
		case c == '>':
			return false, s.finishTag()
		default:
			s.state = stAttrUnquoted
		}
	case stAttrQuoted:
		if c == s.quote {
			s.state = stTag
		} else if !s.valueHasTag {
			s.valuePrefix = append(s.valuePrefix, c)
		}
	case stAttrUnquoted:
		switch {
		case isSpace(c):
			s.state = stTag
		case c == '>':
			return false, s.finishTag()
		}
	case stRCDATA, stRawText:
		s.matchRawEnd(c)
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
		for s.stepJS(c) {
		}
	case stPlaintext:
	}
	return false, nil
}

func (s *scanner) startTag(c byte, end bool) {
	s.elem = append(s.elem[:0], lower(c))
	s.endTag = end
	s.state = stTagName
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

// finishTag handles the '>' closing a start or end tag.
func (s *scanner) finishTag() error {
	if s.endTag {
		s.state = stText
		return nil
	}
	elem := string(s.elem)
	switch elem {
	case "script":
		s.enterRaw(stScript, elem)
		s.js, s.jsEscape, s.jsSlash, s.jsInWord = jsCode, false, false, false
		s.jsWord, s.jsLast, s.scriptOpen = s.jsWord[:0], 0, 0
	case "style", "xmp", "iframe", "noembed", "noframes":
		s.enterRaw(stRawText, elem)
	case "title", "textarea":
		s.enterRaw(stRCDATA, elem)
	case "plaintext":
		s.state = stPlaintext
	default:
		s.state = stText
	}
	return nil
}

func (s *scanner) enterRaw(st htmlState, elem string) {
	s.state = st
	s.rawEnd = "</" + elem
	s.rawEndMatch = 0
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

func isJSIdent(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// regexAllowed reports whether a '/' at this point in JS code starts a
// regular expression literal rather than a division.
func (s *scanner) regexAllowed() bool {
	if len(s.jsWord) > 0 {
		switch string(s.jsWord) {
		case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
			"throw", "case", "do", "else", "yield", "await":
			return true
		}
		return false
	}
	switch s.jsLast {
	case ')', ']', '"', '\'', '`':
		return false
	}
	return true
}

// stepJS consumes one character of script text and reports whether it must
// be processed again.
func (s *scanner) stepJS(c byte) bool {
	switch s.js {
	case jsCode:
		if s.jsSlash {
			s.jsSlash = false
			switch {
			case c == '/':
				s.js = jsLineComment
				return false
			case c == '*':
				s.js, s.jsStar = jsBlockComment, false
				return false
			case s.jsSlashRegex:
				s.js = jsRegex
				return true
			default:
				s.jsWord, s.jsLast = s.jsWord[:0], '/'
				return true
			}
		}
		switch {
		case c == '"':
			s.js = jsDQ
		case c == '\'':
			s.js = jsSQ
		case c == '`':
			s.js = jsTemplate
		case c == '/':
			s.jsSlash, s.jsSlashRegex = true, s.regexAllowed()
			s.jsInWord = false
		case isSpace(c):
			s.jsInWord = false
		case isJSIdent(c):
			if !s.jsInWord {
				s.jsWord = s.jsWord[:0]
				s.jsInWord = true
			}
			s.jsWord = append(s.jsWord, c)
		default:
			s.jsWord, s.jsInWord, s.jsLast = s.jsWord[:0], false, c
		}
	case jsDQ, jsSQ, jsTemplate:
		if s.jsEscape {
			s.jsEscape = false
			return false
		}
		switch {
		case c == '\\':
			s.jsEscape = true
		case c == '"' && s.js == jsDQ, c == '\'' && s.js == jsSQ, c == '`' && s.js == jsTemplate:
			s.jsWord, s.jsInWord, s.jsLast = s.jsWord[:0], false, c
			s.js = jsCode
		}
	case jsLineComment:
		if c == '\n' || c == '\r' {
			s.js = jsCode
		}
	case jsBlockComment:
		if s.jsStar && c == '/' {
			s.js = jsCode
		}
		s.jsStar = c == '*'
	case jsRegex, jsRegexClass:
		if s.jsEscape {
			s.jsEscape = false
			return false
		}
		switch {
		case c == '\\':
			s.jsEscape = true
		case c == '[':
			s.js = jsRegexClass
		case c == ']' && s.js == jsRegexClass:
			s.js = jsRegex
		case c == '/' && s.js == jsRegex:
			// A regexp literal is followed by a division, like ')'.
			s.js, s.jsWord, s.jsInWord, s.jsLast = jsCode, s.jsWord[:0], false, ')'
		case c == '\n':
			s.js = jsCode
		}
	}
	return false
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
		if raw {
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
		return s.attrPlaceholder(refuse)
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

func (s *scanner) attrPlaceholder(refuse func(string, ...any) (escContext, error)) (escContext, error) {
	attr, elem := string(s.attr), string(s.elem)
	if s.endTag {
		return refuse("placeholder in an attribute of end tag </%s>", elem)
	}
	if reason := refusedAttr(elem, attr); reason != "" {
		return refuse("%s", reason)
	}
	if !isURLAttr(attr) {
		s.valueHasTag = true
		return ctxAttr, nil
	}
	if s.valueHasTag {
		return ctxURLPart, nil
	}
	s.valueHasTag = true
	prefix := strings.TrimLeft(string(s.valuePrefix), " \t\n\f\r")
	if prefix == "" {
		return ctxURL, nil
	}
	if i := strings.IndexAny(prefix, ":/?#"); i >= 0 && prefix[i] == ':' && !allowedScheme(prefix[:i]) {
		return refuse("URL attribute %q starts with scheme %q; only http, https, mailto and tel may be followed by placeholders", attr, prefix[:i])
	}
	return ctxURLPart, nil
}

func (s *scanner) scriptPlaceholder(refuse func(string, ...any) (escContext, error)) (escContext, error) {
	switch {
	case s.rawEndMatch > 0 || s.scriptOpen > 0:
		return refuse("placeholder directly after '<' inside <script>")
	case s.js == jsTemplate:
		return refuse("placeholder inside a JS template literal; use a quoted string")
	case s.js != jsDQ && s.js != jsSQ:
		return refuse("placeholder inside <script> outside a quoted JS string literal")
	case s.jsEscape:
		return refuse("placeholder directly after a backslash in a JS string")
	}
	return ctxJSString, nil
}

// end checks the state at the end of the template: every template must end
// in HTML text so its output can be inserted into another as a unit.
func (s *scanner) end() error {
	if s.state != stText {
		return s.errorf("template ends inside %s; it must end in HTML text", s.state)
	}
	return nil
}
