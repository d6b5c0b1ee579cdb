package carerixemu

import (
	"fmt"
	"strings"
)

// QualifierError is a syntax or semantic error in a qualifier. GraphQL
// reports it with extensions.code INVALID_QUALIFIER.
type QualifierError struct {
	// Pos is the byte offset in the qualifier where the problem was found.
	Pos int
	// Msg describes the problem.
	Msg string
}

// Error implements error.
func (e *QualifierError) Error() string {
	return fmt.Sprintf("invalid qualifier at position %d: %s", e.Pos, e.Msg)
}

func qerr(pos int, format string, args ...any) *QualifierError {
	return &QualifierError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// tokKind classifies qualifier tokens.
type tokKind int

const (
	tokEOF tokKind = iota
	tokPath
	tokString
	tokNumber
	tokOp
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot
	tokLike
	tokCILike
	tokNil
	tokTrue
	tokFalse
)

// token is one lexeme. text is the operator, path or number text, or the
// unescaped string value.
type token struct {
	kind tokKind
	text string
	pos  int
}

// keywords maps lowercase keywords to token kinds. Keywords are
// case-insensitive and cannot be used as key names.
var keywords = map[string]tokKind{
	"and":                 tokAnd,
	"or":                  tokOr,
	"not":                 tokNot,
	"like":                tokLike,
	"caseinsensitivelike": tokCILike,
	"nil":                 tokNil,
	"null":                tokNil,
	"true":                tokTrue,
	"false":               tokFalse,
}

// lexer splits a qualifier into tokens.
type lexer struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == '\'' || c == '"':
		return l.lexString(c)
	case isDigit(c) || (c == '-' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1])):
		return l.lexNumber()
	case isIdentStart(c):
		return l.lexPath()
	case strings.IndexByte("=!<>", c) >= 0:
		return l.lexOp()
	}
	return token{}, qerr(start, "unexpected character %q", rune(c))
}

func (l *lexer) lexOp() (token, error) {
	start := l.pos
	for _, op := range [...]string{"==", "!=", "<>", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += len(op)
			return token{kind: tokOp, text: op, pos: start}, nil
		}
	}
	return token{}, qerr(start, "unexpected character %q", rune(l.src[start]))
}

// lexPath reads a key path: identifiers joined by dots, or a keyword.
func (l *lexer) lexPath() (token, error) {
	start := l.pos
	for {
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		if l.pos < len(l.src) && l.src[l.pos] == '.' {
			if l.pos+1 >= len(l.src) || !isIdentStart(l.src[l.pos+1]) {
				return token{}, qerr(l.pos, "key path %q must not end with a dot", l.src[start:l.pos+1])
			}
			l.pos++
			continue
		}
		break
	}
	text := l.src[start:l.pos]
	if !strings.Contains(text, ".") {
		if k, ok := keywords[strings.ToLower(text)]; ok {
			return token{kind: k, text: text, pos: start}, nil
		}
	}
	return token{kind: tokPath, text: text, pos: start}, nil
}

// lexNumber reads -?digits(.digits)?([eE][+-]?digits)?.
func (l *lexer) lexNumber() (token, error) {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := func() int {
		n := 0
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
			n++
		}
		return n
	}
	digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		if digits() == 0 {
			return token{}, qerr(l.pos, "digit expected after decimal point")
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if digits() == 0 {
			return token{}, qerr(l.pos, "digit expected in exponent")
		}
	}
	if l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
		return token{}, qerr(l.pos, "unexpected %q after number", rune(l.src[l.pos]))
	}
	return token{kind: tokNumber, text: l.src[start:l.pos], pos: start}, nil
}

// lexString reads a quoted string. Inside, the quote character is written
// doubled ('It”s') or backslash-escaped ('It\'s'); \\, \', \", \n, \r and
// \t are escapes, and any other backslash pair is kept as written (so like
// patterns can say \* and \?).
func (l *lexer) lexString(quote byte) (token, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return token{}, qerr(start, "unterminated string")
		}
		c := l.src[l.pos]
		switch {
		case c == quote:
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == quote {
				b.WriteByte(quote)
				l.pos += 2
				continue
			}
			l.pos++
			return token{kind: tokString, text: b.String(), pos: start}, nil
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, qerr(start, "unterminated string")
			}
			e := l.src[l.pos+1]
			switch e {
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}
