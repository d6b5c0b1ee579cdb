package carerixemu

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// matcher is a qualifier bound to one entity kind.
type matcher interface {
	match(s *Store, rec any) bool
}

type andMatcher struct{ l, r matcher }

func (m andMatcher) match(s *Store, rec any) bool { return m.l.match(s, rec) && m.r.match(s, rec) }

type orMatcher struct{ l, r matcher }

func (m orMatcher) match(s *Store, rec any) bool { return m.l.match(s, rec) || m.r.match(s, rec) }

type notMatcher struct{ x matcher }

func (m notMatcher) match(s *Store, rec any) bool { return !m.x.match(s, rec) }

// cmpMatcher compares the values a key path reaches with a literal.
type cmpMatcher struct {
	steps []attr // relations, then the final attribute
	op    string
	isNil bool // literal is nil
	want  any  // coerced literal: string, float64, bool or time.Time
	like  []likeToken
	fold  bool // caseInsensitiveLike
}

// attrLookup returns the attribute of an entity kind a qualifier may use.
type attrLookup func(kind, name string) (attr, bool)

// compileQualifier binds q to an entity kind, checking key paths (with
// lookup, so they follow the served schema) and literal types. A nil q
// yields a nil matcher (match all).
func compileQualifier(q *Qualifier, kind string, lookup attrLookup) (matcher, error) {
	if q == nil || q.root == nil {
		return nil, nil
	}
	return compileExpr(q.root, kind, lookup)
}

func compileExpr(e qexpr, kind string, lookup attrLookup) (matcher, error) {
	switch e := e.(type) {
	case *qBool:
		l, err := compileExpr(e.l, kind, lookup)
		if err != nil {
			return nil, err
		}
		r, err := compileExpr(e.r, kind, lookup)
		if err != nil {
			return nil, err
		}
		if e.and {
			return andMatcher{l, r}, nil
		}
		return orMatcher{l, r}, nil
	case *qNot:
		x, err := compileExpr(e.x, kind, lookup)
		if err != nil {
			return nil, err
		}
		return notMatcher{x}, nil
	case *qCmp:
		return compileCompare(e, kind, lookup)
	}
	return nil, qerr(0, "internal: unknown node %T", e)
}

func compileCompare(c *qCmp, kind string, lookup attrLookup) (matcher, error) {
	cur := kind
	var steps []attr
	parts := strings.Split(c.path, ".")
	for i, name := range parts {
		a, ok := lookup(cur, name)
		if !ok {
			return nil, qerr(c.pathPos, "%s has no key %q (in %q)", cur, name, c.path)
		}
		steps = append(steps, a)
		if a.typ == tEntity {
			cur = a.target
		} else if i < len(parts)-1 {
			return nil, qerr(c.pathPos, "key %q of %q is not a relation", name, c.path)
		}
	}
	final := steps[len(steps)-1]
	m := &cmpMatcher{steps: steps, op: c.op}
	lit := c.lit
	if lit.kind == litNil {
		if c.op != "=" && c.op != "!=" {
			return nil, qerr(lit.pos, "nil can only be compared with = or !=")
		}
		m.isNil = true
		return m, nil
	}
	if c.op == "like" || c.op == "caseInsensitiveLike" {
		if final.typ != tString {
			return nil, qerr(c.pathPos, "%s needs a text key; %q is not text", c.op, c.path)
		}
		if lit.kind != litString {
			return nil, qerr(lit.pos, "%s needs a quoted pattern", c.op)
		}
		m.fold = c.op == "caseInsensitiveLike"
		pat := lit.text
		if m.fold {
			pat = strings.ToLower(pat)
		}
		m.like = compileLike(pat)
		return m, nil
	}
	want, err := coerceLiteral(lit, final, c.path)
	if err != nil {
		return nil, err
	}
	if final.typ == tEntity && c.op != "=" && c.op != "!=" {
		return nil, qerr(c.pathPos, "relation %q can only be compared with = or !=", c.path)
	}
	m.want = want
	return m, nil
}

// coerceLiteral converts a literal to the Go type of the attribute values.
func coerceLiteral(lit qlit, a attr, path string) (any, error) {
	switch a.typ {
	case tString:
		switch lit.kind {
		case litString, litNumber:
			return lit.text, nil
		case litBool:
			return strconv.FormatBool(lit.b), nil
		}
	case tNumber:
		switch lit.kind {
		case litNumber:
			return lit.num, nil
		case litString:
			f, err := strconv.ParseFloat(strings.TrimSpace(lit.text), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, qerr(lit.pos, "%q is a number; %s is not one", path, quoteQualifierString(lit.text))
			}
			return f, nil
		case litBool:
			if lit.b {
				return 1.0, nil
			}
			return 0.0, nil
		}
	case tBool:
		switch lit.kind {
		case litBool:
			return lit.b, nil
		case litNumber:
			if lit.num == 0 || lit.num == 1 {
				return lit.num == 1, nil
			}
		case litString:
			switch strings.ToLower(strings.TrimSpace(lit.text)) {
			case "1", "true", "yes":
				return true, nil
			case "0", "false", "no":
				return false, nil
			}
		}
		return nil, qerr(lit.pos, "%q is a boolean; compare it with 0, 1, true or false", path)
	case tTime:
		switch lit.kind {
		case litDate:
			return lit.t, nil
		case litString:
			t, err := parseCalendarDate(lit.text)
			if err != nil {
				return nil, qerr(lit.pos, "%q is a date: %v", path, err)
			}
			return t, nil
		}
		return nil, qerr(lit.pos, "%q is a date; compare it with (NSCalendarDate) 'YYYY-MM-DD HH:MM:SS +ZZZZ'", path)
	case tEntity:
		switch lit.kind {
		case litString, litNumber:
			return lit.text, nil // compared with the related record's _id
		}
		return nil, qerr(lit.pos, "relation %q can only be compared with nil or an _id", path)
	}
	return nil, qerr(lit.pos, "cannot compare %q with %s", path, lit.String())
}

func (m *cmpMatcher) match(s *Store, rec any) bool {
	recs := []any{rec}
	last := len(m.steps) - 1
	for _, a := range m.steps[:last] {
		var next []any
		for _, r := range recs {
			next = append(next, a.rel(s, r)...)
		}
		recs = next
	}
	final := m.steps[last]
	var values []any
	if final.typ == tEntity {
		for _, r := range recs {
			for _, t := range final.rel(s, r) {
				values = append(values, entityAttrs()[final.target]["_id"].scalar(t))
			}
		}
	} else {
		values = make([]any, 0, len(recs))
		for _, r := range recs {
			values = append(values, final.scalar(r))
		}
	}
	if m.isNil {
		hasNil, hasValue := len(values) == 0, false
		for _, v := range values {
			if v == nil {
				hasNil = true
			} else {
				hasValue = true
			}
		}
		if m.op == "=" {
			return hasNil
		}
		return hasValue
	}
	for _, v := range values {
		if v != nil && m.test(v) {
			return true
		}
	}
	return false
}

// test applies the operator to one non-null value.
func (m *cmpMatcher) test(v any) bool {
	if m.like != nil {
		s := v.(string)
		if m.fold {
			s = strings.ToLower(s)
		}
		return likeMatch(m.like, s)
	}
	var c int
	switch v := v.(type) {
	case string:
		c = strings.Compare(v, m.want.(string))
	case float64:
		w := m.want.(float64)
		switch {
		case v < w:
			c = -1
		case v > w:
			c = 1
		}
	case bool:
		w := m.want.(bool)
		switch {
		case v == w:
		case w:
			c = -1
		default:
			c = 1
		}
	case time.Time:
		c = v.Compare(m.want.(time.Time))
	default:
		return false
	}
	switch m.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// likeToken is one element of a like pattern: a literal rune, any single
// rune (?), or any run of runes (*).
type likeToken struct {
	r    rune
	star bool
	any  bool
}

// compileLike turns a pattern into tokens. * and ? are wildcards; \* and
// \? stand for themselves.
func compileLike(p string) []likeToken {
	out := []likeToken{}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch {
		case r == '\\' && i < len(p) && (p[i] == '*' || p[i] == '?'):
			out = append(out, likeToken{r: rune(p[i])})
			i++
		case r == '*':
			if len(out) == 0 || !out[len(out)-1].star {
				out = append(out, likeToken{star: true})
			}
		case r == '?':
			out = append(out, likeToken{any: true})
		default:
			out = append(out, likeToken{r: r})
		}
	}
	return out
}

// likeMatch reports whether s matches the whole pattern, using the classic
// greedy algorithm with single-star backtracking (linear in practice).
func likeMatch(p []likeToken, s string) bool {
	rs := []rune(s)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && !p[pi].star && (p[pi].any || p[pi].r == rs[si]):
			pi++
			si++
		case pi < len(p) && p[pi].star:
			starP, starS = pi, si
			pi++
		case starP >= 0:
			pi = starP + 1
			starS++
			si = starS
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].star {
		pi++
	}
	return pi == len(p)
}

// ValidateQualifier parses q and checks it against the attributes of an
// entity kind (e.g. KindEmployee) in the docs profile's schema, as its
// GraphQL cr*Page queries do. It returns nil for a usable qualifier and a
// *QualifierError otherwise. Store.ValidateQualifier checks against a
// server's own schema.
func ValidateQualifier(kind, q string) error {
	return docsStore().ValidateQualifier(kind, q)
}

// ValidateQualifier parses q and checks it against the attributes of an
// entity kind in this store's schema (its profile and removed fields).
func (s *Store) ValidateQualifier(kind, q string) error {
	if _, ok := entityAttrs()[kind]; !ok {
		return invalid("unknown entity kind %q", kind)
	}
	parsed, err := ParseQualifier(q)
	if err != nil {
		return err
	}
	_, err = compileQualifier(parsed, kind, s.attrOf)
	return err
}
