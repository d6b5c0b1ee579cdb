package templates

import "fmt"

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

// jsTokKind is the kind of the last token of JS code, which decides
// whether a '/' after it starts a regular expression literal or divides.
type jsTokKind uint8

const (
	jsTokNone  jsTokKind = iota // nothing yet in this <script>
	jsTokPunct                  // a punctuator, in jsScan.punct
	jsTokWord                   // an identifier, keyword or number, in jsScan.word
	jsTokValue                  // the end of a string, template or regexp literal
)

// slashKind says what a '/' in code starts.
type slashKind uint8

const (
	slashRegex slashKind = iota
	slashDivide
	slashAmbiguous
)

// jsScan is the JavaScript part of the scanner's state, reset at every
// <script> start tag.
type jsScan struct {
	state   jsState
	escape  bool // a backslash is pending in a string, template or regexp
	star    bool // the previous character in a block comment was '*'
	dollar  bool // the previous character in a template literal was '$'
	lsep    int  // bytes of U+2028 or U+2029 (E2 80 A8/A9) matched in a line comment
	slash   bool // a '/' in code waits for the next character
	slashAs slashKind
	slashAt int // line of the pending '/'

	tok      jsTokKind
	punct    byte
	punctRun int  // adjacent repeats of punct ("++" is 2)
	spaced   bool // whitespace or a comment since the last token
	word     []byte
	inWord   bool
	afterDot bool // the current word follows '.', so it is a property name
	stringAt int  // line where the current string literal started
	// unsure names the first construct after which strings cannot be
	// told from code; placeholders after it are refused.
	unsure string
}

func (j *jsScan) reset() {
	*j = jsScan{word: j.word[:0]}
}

// markUnsure records the first construct after which the scanner can no
// longer tell strings from code; every later placeholder in the same
// <script> element is refused.
func (j *jsScan) markUnsure(format string, args ...any) {
	if j.unsure == "" {
		j.unsure = fmt.Sprintf(format, args...)
	}
}

func isJSIdent(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// slashAfter decides what a '/' after the last token starts. A few
// tokens are ambiguous without parsing: ')' (the end of "if (x)" or of a
// parenthesised expression), '}' (the end of a block or of an object
// literal), '.', and the contextual keywords of, yield and await.
func (j *jsScan) slashAfter() slashKind {
	switch j.tok {
	case jsTokNone:
		return slashRegex
	case jsTokValue:
		return slashDivide
	case jsTokWord:
		if j.afterDot || '0' <= j.word[0] && j.word[0] <= '9' {
			return slashDivide // a property name or a number
		}
		switch string(j.word) {
		case "return", "typeof", "instanceof", "in", "new", "delete", "void",
			"throw", "case", "do", "else":
			return slashRegex
		case "of", "yield", "await":
			return slashAmbiguous
		}
		return slashDivide
	}
	switch j.punct {
	case ')', '}', '.':
		return slashAmbiguous
	case ']':
		return slashDivide
	case '+', '-':
		// "a++ / b" divides; "a + /b/" and "a - -/b/.x" start a regexp.
		if j.punctRun%2 == 0 {
			return slashDivide
		}
	}
	return slashRegex
}

func (j *jsScan) endWord() {
	j.inWord = false
}

func (j *jsScan) setPunct(c byte) {
	j.endWord()
	if j.tok == jsTokPunct && j.punct == c && !j.spaced {
		j.punctRun++
	} else {
		j.punctRun = 1
	}
	j.tok, j.punct, j.spaced = jsTokPunct, c, false
}

// step consumes one character of script text on line and reports whether
// it must be processed again.
func (j *jsScan) step(c byte, line int) bool {
	switch j.state {
	case jsCode:
		return j.stepCode(c, line)
	case jsDQ, jsSQ:
		if j.escape {
			j.escape = false
			return false
		}
		switch {
		case c == '\\':
			j.escape = true
		case c == '"' && j.state == jsDQ, c == '\'' && j.state == jsSQ:
			j.state, j.tok, j.spaced = jsCode, jsTokValue, false
			j.endWord()
		case c == '\n' || c == '\r':
			// A string literal cannot span lines: the script is broken and
			// browsers will not run it, but the scanner can no longer
			// follow it either.
			j.markUnsure("the string literal on line %d, which runs past the end of its line", j.stringAt)
		}
	case jsTemplate:
		if j.escape {
			j.escape = false
			return false
		}
		switch {
		case c == '\\':
			j.escape = true
		case c == '`':
			j.state, j.tok, j.spaced = jsCode, jsTokValue, false
			j.endWord()
		case c == '{' && j.dollar:
			j.markUnsure("the template literal substitution \"${\" on line %d", line)
		}
		j.dollar = c == '$'
	case jsLineComment:
		switch {
		case c == '\n' || c == '\r':
			j.state, j.spaced = jsCode, true
		case c == 0xE2:
			j.lsep = 1
			return false
		case c == 0x80 && j.lsep == 1:
			j.lsep = 2
			return false
		case (c == 0xA8 || c == 0xA9) && j.lsep == 2:
			// U+2028 and U+2029 end a line comment too.
			j.state, j.spaced = jsCode, true
		}
		j.lsep = 0
	case jsBlockComment:
		if j.star && c == '/' {
			j.state, j.spaced = jsCode, true
		}
		j.star = c == '*'
	case jsRegex, jsRegexClass:
		if j.escape {
			j.escape = false
			return false
		}
		switch {
		case c == '\\':
			j.escape = true
		case c == '[':
			j.state = jsRegexClass
		case c == ']' && j.state == jsRegexClass:
			j.state = jsRegex
		case c == '/' && j.state == jsRegex:
			j.state, j.tok, j.spaced = jsCode, jsTokValue, false
			j.endWord()
		case c == '\n' || c == '\r':
			j.markUnsure("the regular expression on line %d, which runs past the end of its line", line)
			j.state = jsCode
		}
	}
	return false
}

func (j *jsScan) stepCode(c byte, line int) bool {
	if j.slash {
		j.slash = false
		switch {
		case c == '/':
			j.state = jsLineComment
			return false
		case c == '*':
			j.state, j.star = jsBlockComment, false
			return false
		}
		switch j.slashAs {
		case slashRegex:
			j.state = jsRegex
			return true
		case slashAmbiguous:
			j.markUnsure("the '/' on line %d, which may start a regular expression or divide", j.slashAt)
		}
		j.setPunct('/')
		return true
	}
	switch {
	case c == '"' || c == '\'':
		j.state, j.stringAt = jsDQ, line
		if c == '\'' {
			j.state = jsSQ
		}
	case c == '`':
		j.state, j.dollar = jsTemplate, false
	case c == '/':
		j.endWord()
		j.slash, j.slashAs, j.slashAt = true, j.slashAfter(), line
	case isSpace(c):
		j.endWord()
		j.spaced = true
	case isJSIdent(c):
		if !j.inWord {
			j.afterDot = j.tok == jsTokPunct && j.punct == '.'
			j.tok, j.inWord, j.spaced = jsTokWord, true, false
			j.word = j.word[:0]
		}
		j.word = append(j.word, c)
	default:
		if c == '>' && j.tok == jsTokPunct && j.punct == '-' && j.punctRun >= 2 && !j.spaced {
			// "-->" starts a comment when it begins a line.
			j.markUnsure("the \"-->\" on line %d, which may start a comment", line)
		}
		j.setPunct(c)
	}
	return false
}
