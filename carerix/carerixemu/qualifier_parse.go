package carerixemu

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits that keep hostile qualifiers cheap.
const (
	maxQualifierLen   = 16 << 10
	maxQualifierDepth = 64
)

// Qualifier is a parsed EOF-style qualifier. The zero of *Qualifier (nil)
// matches every record.
type Qualifier struct {
	root qexpr
}

// String renders the qualifier canonically: fully parenthesised AND/OR,
// single-quoted strings, dates with explicit offsets. Parsing the result
// yields the same qualifier.
func (q *Qualifier) String() string {
	if q == nil || q.root == nil {
		return ""
	}
	return q.root.String()
}

// qexpr is a node of the qualifier syntax tree.
type qexpr interface{ String() string }

// qBool is a binary AND or OR.
type qBool struct {
	and  bool
	l, r qexpr
}

func (b *qBool) String() string {
	op := " OR "
	if b.and {
		op = " AND "
	}
	return "(" + b.l.String() + op + b.r.String() + ")"
}

// hasOr reports whether e has an OR anywhere.
func hasOr(e qexpr) bool {
	switch e := e.(type) {
	case *qBool:
		return !e.and || hasOr(e.l) || hasOr(e.r)
	case *qNot:
		return hasOr(e.x)
	}
	return false
}

// hasIDOr reports whether an OR in e joins comparisons of _id.
func hasIDOr(e qexpr) bool {
	switch e := e.(type) {
	case *qBool:
		return (!e.and && (namesID(e.l) || namesID(e.r))) || hasIDOr(e.l) || hasIDOr(e.r)
	case *qNot:
		return hasIDOr(e.x)
	}
	return false
}

// namesID reports whether e compares _id.
func namesID(e qexpr) bool {
	switch e := e.(type) {
	case *qBool:
		return namesID(e.l) || namesID(e.r)
	case *qNot:
		return namesID(e.x)
	case *qCmp:
		return e.path == "_id"
	}
	return false
}

// hasDate reports whether e compares anything with a date literal.
func hasDate(e qexpr) bool {
	switch e := e.(type) {
	case *qBool:
		return hasDate(e.l) || hasDate(e.r)
	case *qNot:
		return hasDate(e.x)
	case *qCmp:
		return e.lit.kind == litDate
	}
	return false
}

// qNot negates its operand.
type qNot struct{ x qexpr }

func (n *qNot) String() string { return "NOT (" + n.x.String() + ")" }

// qCmp compares a key path with a literal.
type qCmp struct {
	path    string
	pathPos int
	op      string // =, !=, <, <=, >, >=, like, caseInsensitiveLike
	lit     qlit
}

func (c *qCmp) String() string { return c.path + " " + c.op + " " + c.lit.String() }

// litKind classifies literals.
type litKind int

const (
	litString litKind = iota + 1
	litNumber
	litNil
	litBool
	litDate
)

// qlit is a literal value.
type qlit struct {
	kind litKind
	text string // string value, or number text
	num  float64
	b    bool
	t    time.Time
	pos  int
}

func (l qlit) String() string {
	switch l.kind {
	case litString:
		return quoteQualifierString(l.text)
	case litNumber:
		return l.text
	case litNil:
		return "nil"
	case litBool:
		return strconv.FormatBool(l.b)
	case litDate:
		return "(NSCalendarDate) '" + l.t.Format("2006-01-02 15:04:05.999999999 -0700") + "'"
	}
	return "?"
}

// quoteQualifierString renders s as a single-quoted qualifier string.
func quoteQualifierString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// ParseQualifier parses a qualifier. An empty or blank qualifier yields a
// nil *Qualifier that matches everything. Errors are *QualifierError.
//
// Grammar (keywords case-insensitive):
//
//	expr    = and { OR and }
//	and     = unary { AND unary }
//	unary   = NOT unary | "(" expr ")" | compare
//	compare = path op value
//	op      = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | LIKE | CASEINSENSITIVELIKE
//	value   = string | number | NIL | NULL | TRUE | FALSE | "(" cast ")" (string | number)
//	cast    = NSCalendarDate | NSNumber | NSDecimalNumber | NSString
//	path    = ident { "." ident }   ident = [A-Za-z_][A-Za-z0-9_]*
func ParseQualifier(src string) (*Qualifier, error) {
	if len(src) > maxQualifierLen {
		return nil, qerr(maxQualifierLen, "qualifier longer than %d bytes", maxQualifierLen)
	}
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, nil
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, qerr(p.tok.pos, "unexpected %s", p.describe())
	}
	return &Qualifier{root: root}, nil
}

// parser is a recursive-descent parser over the lexer's tokens.
type parser struct {
	lex lexer
	tok token
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// describe names the current token for error messages.
func (p *parser) describe() string {
	switch p.tok.kind {
	case tokEOF:
		return "end of qualifier"
	case tokString:
		return "string " + quoteQualifierString(p.tok.text)
	default:
		return strconv.Quote(p.tok.text)
	}
}

func (p *parser) parseOr(depth int) (qexpr, error) {
	l, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOr {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		l = &qBool{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseAnd(depth int) (qexpr, error) {
	l, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokAnd {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		l = &qBool{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseUnary(depth int) (qexpr, error) {
	if depth >= maxQualifierDepth {
		return nil, qerr(p.tok.pos, "nesting deeper than %d", maxQualifierDepth)
	}
	switch p.tok.kind {
	case tokNot:
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &qNot{x: x}, nil
	case tokLParen:
		open := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, qerr(p.tok.pos, "expected ) to close ( at position %d, got %s", open, p.describe())
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return x, nil
	case tokPath:
		return p.parseCompare()
	}
	return nil, qerr(p.tok.pos, "expected a key path, NOT or (, got %s", p.describe())
}

func (p *parser) parseCompare() (qexpr, error) {
	c := &qCmp{path: p.tok.text, pathPos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokOp:
		switch p.tok.text {
		case "==":
			c.op = "="
		case "<>":
			c.op = "!="
		default:
			c.op = p.tok.text
		}
	case tokLike:
		c.op = "like"
	case tokCILike:
		c.op = "caseInsensitiveLike"
	default:
		return nil, qerr(p.tok.pos, "expected an operator after %q, got %s", c.path, p.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	lit, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	c.lit = lit
	return c, nil
}

func (p *parser) parseValue() (qlit, error) {
	t := p.tok
	var lit qlit
	switch t.kind {
	case tokString:
		lit = qlit{kind: litString, text: t.text, pos: t.pos}
	case tokNumber:
		n, err := parseNumber(t)
		if err != nil {
			return qlit{}, err
		}
		lit = n
	case tokNil:
		lit = qlit{kind: litNil, pos: t.pos}
	case tokTrue, tokFalse:
		lit = qlit{kind: litBool, b: t.kind == tokTrue, pos: t.pos}
	case tokLParen:
		return p.parseCast()
	case tokPath:
		return qlit{}, qerr(t.pos, "right side must be a literal, not the key path %q", t.text)
	default:
		return qlit{}, qerr(t.pos, "expected a value, got %s", p.describe())
	}
	if err := p.advance(); err != nil {
		return qlit{}, err
	}
	return lit, nil
}

// parseCast reads "(Type) literal".
func (p *parser) parseCast() (qlit, error) {
	open := p.tok.pos
	if err := p.advance(); err != nil {
		return qlit{}, err
	}
	if p.tok.kind != tokPath {
		return qlit{}, qerr(p.tok.pos, "expected a type name after (, got %s", p.describe())
	}
	cast := p.tok.text
	if err := p.advance(); err != nil {
		return qlit{}, err
	}
	if p.tok.kind != tokRParen {
		return qlit{}, qerr(p.tok.pos, "expected ) after (%s, got %s", cast, p.describe())
	}
	if err := p.advance(); err != nil {
		return qlit{}, err
	}
	t := p.tok
	var lit qlit
	switch cast {
	case "NSCalendarDate":
		if t.kind != tokString {
			return qlit{}, qerr(t.pos, "(NSCalendarDate) needs a quoted date, got %s", p.describe())
		}
		when, err := parseCalendarDate(t.text)
		if err != nil {
			return qlit{}, qerr(t.pos, "%v", err)
		}
		lit = qlit{kind: litDate, t: when, pos: open}
	case "NSNumber", "NSDecimalNumber":
		switch t.kind {
		case tokNumber:
			n, err := parseNumber(t)
			if err != nil {
				return qlit{}, err
			}
			lit = n
		case tokString:
			n, err := parseNumber(token{text: strings.TrimSpace(t.text), pos: t.pos})
			if err != nil {
				return qlit{}, err
			}
			lit = n
		default:
			return qlit{}, qerr(t.pos, "(%s) needs a number, got %s", cast, p.describe())
		}
	case "NSString":
		if t.kind != tokString {
			return qlit{}, qerr(t.pos, "(NSString) needs a quoted string, got %s", p.describe())
		}
		lit = qlit{kind: litString, text: t.text, pos: t.pos}
	default:
		return qlit{}, qerr(open, "unsupported cast (%s); use NSCalendarDate, NSNumber, NSDecimalNumber or NSString", cast)
	}
	if err := p.advance(); err != nil {
		return qlit{}, err
	}
	return lit, nil
}

// parseNumber converts a number token, refusing non-finite values.
func parseNumber(t token) (qlit, error) {
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return qlit{}, qerr(t.pos, "invalid number %q", t.text)
	}
	// Canonical text keeps String() stable across a round trip.
	return qlit{kind: litNumber, text: strconv.FormatFloat(f, 'g', -1, 64), num: f, pos: t.pos}, nil
}
