package cxscript

import (
	"errors"
	"fmt"
	"strings"
)

// condNode is a compiled condition (cx:if and cx:let condition=).
type condNode interface {
	eval(x *executor) bool
}

// Condition syntax (the CxScript condition type): comparisons
// "operand op operand" with =, ==, !=, <>, <, <=, >, >=, like and
// caseInsensitiveLike; operands are paths without $, 'strings' or
// "strings", numbers, nil; combined with AND, OR, NOT and parentheses
// (precedence NOT, AND, OR). A lone operand tests for a non-empty value
// other than 0, false or NO.

type (
	orNode    struct{ l, r condNode }
	andNode   struct{ l, r condNode }
	notNode   struct{ x condNode }
	truthNode struct{ x operand }
	cmpNode   struct {
		l, r operand
		op   string
	}
)

// operand is a path, a literal or nil.
type operand struct {
	path  string
	lit   string
	isNil bool
}

// condToken is one lexical token of a condition.
type condToken struct {
	kind string // "path", "str", "num", "op", "(", ")", "and", "or", "not", "nil"
	text string
}

// maxCondDepth bounds condition nesting.
const maxCondDepth = 64

// compileCondition parses a condition string.
func compileCondition(src string) (condNode, error) {
	toks, err := lexCondition(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, errors.New("empty condition")
	}
	p := &condParser{toks: toks}
	n, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q in condition", p.toks[p.pos].text)
	}
	return n, nil
}

// lexCondition splits a condition into tokens.
func lexCondition(src string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{kind: string(c), text: string(c)})
			i++
		case c == '\'' || c == '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated string in condition %q", src)
			}
			toks = append(toks, condToken{kind: "str", text: src[i+1 : i+1+end]})
			i += end + 2
		case c == '$':
			return nil, fmt.Errorf("write variables in conditions without $ (got %q)", src)
		case strings.ContainsRune("=!<>", rune(c)):
			op := string(c)
			if i+1 < len(src) && strings.ContainsRune("=>", rune(src[i+1])) {
				op = src[i : i+2]
			}
			switch op {
			case "=", "==", "!=", "<>", "<", "<=", ">", ">=":
			default:
				return nil, fmt.Errorf("unknown operator %q in condition", op)
			}
			toks = append(toks, condToken{kind: "op", text: op})
			i += len(op)
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, condToken{kind: "num", text: src[i:j]})
			i = j
		default:
			j := i
			for j < len(src) && isPathByte(src[j]) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected character %q in condition", c)
			}
			word := src[i:j]
			switch lw := strings.ToLower(word); lw {
			case "and", "or", "not", "nil":
				toks = append(toks, condToken{kind: lw, text: word})
			case "like", "caseinsensitivelike":
				toks = append(toks, condToken{kind: "op", text: lw})
			default:
				if !validPath(word) {
					return nil, fmt.Errorf("invalid path %q in condition", word)
				}
				toks = append(toks, condToken{kind: "path", text: word})
			}
			i = j
		}
	}
	return toks, nil
}

// isPathByte reports whether c may appear in a key path.
func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '@'
}

// condParser is a recursive-descent parser over condition tokens.
type condParser struct {
	toks []condToken
	pos  int
}

func (p *condParser) peek() (condToken, bool) {
	if p.pos >= len(p.toks) {
		return condToken{}, false
	}
	return p.toks[p.pos], true
}

func (p *condParser) parseOr(depth int) (condNode, error) {
	l, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != "or" {
			return l, nil
		}
		p.pos++
		r, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
}

func (p *condParser) parseAnd(depth int) (condNode, error) {
	l, err := p.parseNot(depth)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != "and" {
			return l, nil
		}
		p.pos++
		r, err := p.parseNot(depth)
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
}

func (p *condParser) parseNot(depth int) (condNode, error) {
	if depth > maxCondDepth {
		return nil, errors.New("condition nested too deeply")
	}
	t, ok := p.peek()
	if !ok {
		return nil, errors.New("condition ends early")
	}
	switch t.kind {
	case "not":
		p.pos++
		x, err := p.parseNot(depth + 1)
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	case "(":
		p.pos++
		x, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); !ok || t.kind != ")" {
			return nil, errors.New("missing ) in condition")
		}
		p.pos++
		return x, nil
	}
	l, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	t, ok = p.peek()
	if !ok || t.kind != "op" {
		return truthNode{l}, nil
	}
	p.pos++
	r, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return cmpNode{l: l, r: r, op: t.text}, nil
}

func (p *condParser) parseOperand() (operand, error) {
	t, ok := p.peek()
	if !ok {
		return operand{}, errors.New("condition ends where a value was expected")
	}
	p.pos++
	switch t.kind {
	case "path":
		return operand{path: t.text}, nil
	case "str", "num":
		return operand{lit: t.text}, nil
	case "nil":
		return operand{isNil: true}, nil
	}
	return operand{}, fmt.Errorf("unexpected %q where a value was expected", t.text)
}

func (n orNode) eval(x *executor) bool  { return n.l.eval(x) || n.r.eval(x) }
func (n andNode) eval(x *executor) bool { return n.l.eval(x) && n.r.eval(x) }
func (n notNode) eval(x *executor) bool { return !n.x.eval(x) }

func (n truthNode) eval(x *executor) bool {
	v := x.operandValue(n.x)
	if v.isList {
		return len(v.list) > 0
	}
	if !v.ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v.s)) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

func (n cmpNode) eval(x *executor) bool {
	l, r := x.operandValue(n.l), x.operandValue(n.r)
	if n.r.isNil || n.l.isNil {
		other := l
		if n.l.isNil {
			other = r
		}
		isNil := other.isNilLike()
		switch n.op {
		case "=", "==":
			return isNil
		case "!=", "<>":
			return !isNil
		}
		return false
	}
	if r.isList && !l.isList {
		l, r = r, l
		n.op = mirrorOp(n.op)
	}
	rs := r.s
	if r.isList {
		rs = r.joined()
	}
	if l.isList {
		if n.op == "!=" || n.op == "<>" {
			for _, item := range l.list {
				if compare(item, "=", rs) {
					return false
				}
			}
			return true
		}
		for _, item := range l.list {
			if compare(item, n.op, rs) {
				return true
			}
		}
		return false
	}
	return compare(l.s, n.op, rs)
}

// mirrorOp returns the operator with its operands swapped.
func mirrorOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}
