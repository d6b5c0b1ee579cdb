package carerix

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Qualifier is an immutable EOF-style qualifier expression, the filter
// language of Carerix cr*Page queries. Build one with the constructors in
// this file and render it with Build; a Qualifier carries the first error
// made while building it, so composition needs no error checks until the
// end.
//
// String values are always emitted as single-quoted literals in which a
// backslash and a single quote are escaped with a backslash (\\ and \'),
// so a value such as O'Brien or a' OR 1=1 stays one literal and can never
// change the structure of the expression. Control characters are refused.
// Paths are validated by ValidPath, and And/Or/Not always
// parenthesize their operands, so precedence never depends on the caller.
type Qualifier struct {
	expr string
	err  error
}

// pathPattern is the syntax of a key path: identifiers joined by dots.
var pathPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// Op is a comparison operator.
type Op string

// Comparison operators.
const (
	OpEq   Op = "="
	OpNe   Op = "!="
	OpLt   Op = "<"
	OpLe   Op = "<="
	OpGt   Op = ">"
	OpGe   Op = ">="
	OpLike Op = "like"
	// OpILike is EOF's caseInsensitiveLike.
	OpILike Op = "caseInsensitiveLike"
)

// valid reports whether o is a known operator.
func (o Op) valid() bool {
	switch o {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike, OpILike:
		return true
	}
	return false
}

// Build returns the rendered expression, or the first error made while
// building it.
func (q Qualifier) Build() (string, error) {
	if q.err != nil {
		return "", q.err
	}
	if q.expr == "" {
		return "", errors.New("carerix: empty qualifier")
	}
	return q.expr, nil
}

// Failed returns a Qualifier carrying err, for a builder that could not
// name what it filters on; Build returns err.
func Failed(err error) Qualifier { return Qualifier{err: err} }

// IsZero reports whether q is the zero Qualifier, which selects nothing
// in particular (a query without a qualifier).
func (q Qualifier) IsZero() bool { return q.expr == "" && q.err == nil }

// Err returns the first error made while building q.
func (q Qualifier) Err() error { return q.err }

// String renders q for logs; an invalid qualifier renders its error.
func (q Qualifier) String() string {
	if q.err != nil {
		return "!invalid qualifier: " + q.err.Error()
	}
	return q.expr
}

// failed returns a Qualifier carrying err.
func failed(format string, args ...any) Qualifier {
	return Qualifier{err: fmt.Errorf("carerix: qualifier: "+format, args...)}
}

// Compare renders "path op value". value may be a string, bool (rendered
// 1/0, as Carerix stores booleans), any integer or finite float,
// time.Time (rendered as an NSCalendarDate with explicit offset), or nil
// (only with OpEq and OpNe).
func Compare(path string, op Op, value any) Qualifier {
	if !pathPattern.MatchString(path) {
		return failed("invalid key path %q", path)
	}
	if !op.valid() {
		return failed("unknown operator %q", op)
	}
	if value == nil && op != OpEq && op != OpNe {
		return failed("%s %s nil: only = and != accept nil", path, op)
	}
	if _, isString := value.(string); (op == OpLike || op == OpILike) && !isString {
		return failed("%s like: pattern must be a string", path)
	}
	lit, err := literal(value)
	if err != nil {
		return failed("%s: %v", path, err)
	}
	return Qualifier{expr: path + " " + string(op) + " " + lit}
}

// Eq renders "path = value"; see Compare for the accepted values.
func Eq(path string, value any) Qualifier { return Compare(path, OpEq, value) }

// Ne renders "path != value".
func Ne(path string, value any) Qualifier { return Compare(path, OpNe, value) }

// Lt renders "path < value".
func Lt(path string, value any) Qualifier { return Compare(path, OpLt, value) }

// Le renders "path <= value".
func Le(path string, value any) Qualifier { return Compare(path, OpLe, value) }

// Gt renders "path > value".
func Gt(path string, value any) Qualifier { return Compare(path, OpGt, value) }

// Ge renders "path >= value".
func Ge(path string, value any) Qualifier { return Compare(path, OpGe, value) }

// EqualFold renders "path caseInsensitiveLike value" with the like
// wildcards of value (* and ?) escaped, so it matches value exactly but
// for case.
func EqualFold(path, value string) Qualifier {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`)
	return Compare(path, OpILike, r.Replace(value))
}

// IsNil renders "path = nil".
func IsNil(path string) Qualifier { return Compare(path, OpEq, nil) }

// NotNil renders "path != nil".
func NotNil(path string) Qualifier { return Compare(path, OpNe, nil) }

// Like renders "path like 'pattern'". In pattern, * matches any run of
// characters and ? one character; everything else, quotes included, is
// literal.
func Like(path, pattern string) Qualifier { return Compare(path, OpLike, pattern) }

// Date renders "path op (NSCalendarDate) 'YYYY-MM-DD HH:MM:SS +ZZZZ'" with
// t's offset written explicitly, so no server-side time zone is assumed.
func Date(path string, op Op, t time.Time) Qualifier {
	if op == OpLike {
		return failed("%s: like does not apply to dates", path)
	}
	if t.IsZero() {
		return failed("%s: zero time", path)
	}
	return Compare(path, op, t)
}

// In renders "(path = v1 OR path = v2 …)". At least one value is required:
// an empty set would have to match nothing, which the language cannot
// express.
func In[T any](path string, values ...T) Qualifier {
	if len(values) == 0 {
		return failed("%s in (): no values", path)
	}
	qs := make([]Qualifier, len(values))
	for i, v := range values {
		qs[i] = Eq(path, v)
	}
	return Or(qs...)
}

// And renders "(q1 AND q2 …)"; a single operand is returned unchanged.
func And(qs ...Qualifier) Qualifier { return join("AND", qs) }

// Or renders "(q1 OR q2 …)"; a single operand is returned unchanged.
func Or(qs ...Qualifier) Qualifier { return join("OR", qs) }

// Not renders "NOT (q)".
func Not(q Qualifier) Qualifier {
	if q.err != nil {
		return q
	}
	if q.expr == "" {
		return failed("NOT of an empty qualifier")
	}
	return Qualifier{expr: "NOT (" + q.expr + ")"}
}

// join combines operands with a boolean connective.
func join(conn string, qs []Qualifier) Qualifier {
	if len(qs) == 0 {
		return failed("%s of no operands", conn)
	}
	parts := make([]string, 0, len(qs))
	for _, q := range qs {
		if q.err != nil {
			return q
		}
		if q.expr == "" {
			return failed("%s with an empty operand", conn)
		}
		parts = append(parts, q.expr)
	}
	if len(parts) == 1 {
		return qs[0]
	}
	return Qualifier{expr: "(" + strings.Join(parts, " "+conn+" ") + ")"}
}

// literal renders a value.
func literal(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "nil", nil
	case string:
		return quote(v)
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	case int:
		return strconv.FormatInt(int64(v), 10), nil
	case int8:
		return strconv.FormatInt(int64(v), 10), nil
	case int16:
		return strconv.FormatInt(int64(v), 10), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint8:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint16:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float32:
		return formatFloat(float64(v))
	case float64:
		return formatFloat(v)
	case time.Time:
		if v.IsZero() {
			return "", errors.New("zero time")
		}
		q, err := quote(FormatCalendarDate(v))
		return "(NSCalendarDate) " + q, err
	default:
		return "", fmt.Errorf("unsupported value type %T", v)
	}
}

// formatFloat renders a finite float without exponent.
func formatFloat(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("non-finite number %v", f)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// quote renders s as a single-quoted literal, escaping backslash and
// single quote with a backslash. Control characters are refused because
// no Carerix value needs them and they would make logs ambiguous.
func quote(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("value %q is not valid UTF-8", s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("value %q contains a control character", s)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String(), nil
}

// ValidPath reports whether path is a key path the builder accepts:
// identifiers ([A-Za-z_][A-Za-z0-9_]*) joined by dots.
func ValidPath(path string) bool { return pathPattern.MatchString(path) }
