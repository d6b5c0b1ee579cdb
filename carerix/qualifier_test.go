package carerix_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/recrubo/recrubo-carerix/carerix"
)

func TestQualifierBuild(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		q    carerix.Qualifier
		want string
	}{
		{"eq string", carerix.Eq("toStatusNode.parentNodes.value", "CandidateActiveTag"), `toStatusNode.parentNodes.value = 'CandidateActiveTag'`},
		{"ne", carerix.Ne("exportCode", "X"), `exportCode != 'X'`},
		{"lt int", carerix.Lt("employeeID", 10), `employeeID < 10`},
		{"le int64", carerix.Le("employeeID", int64(-3)), `employeeID <= -3`},
		{"gt float", carerix.Gt("minSalary", 1234.5), `minSalary > 1234.5`},
		{"ge uint", carerix.Ge("hoursPerWeek", uint8(40)), `hoursPerWeek >= 40`},
		{"bool true", carerix.Eq("deleted", true), `deleted = 1`},
		{"bool false", carerix.Eq("toVacancy.isOpenApplication", false), `toVacancy.isOpenApplication = 0`},
		{"nil", carerix.IsNil("publicationEnd"), `publicationEnd = nil`},
		{"not nil", carerix.NotNil("publicationEnd"), `publicationEnd != nil`},
		{"like", carerix.Like("lastName", "Jans*"), `lastName like 'Jans*'`},
		{"in", carerix.In("toStatusNode.exportCode", "ACT", "NEW"), `(toStatusNode.exportCode = 'ACT' OR toStatusNode.exportCode = 'NEW')`},
		{"in single", carerix.In("toStatusNode.dataNodeID", 7), `toStatusNode.dataNodeID = 7`},
		{"and", carerix.And(carerix.Eq("a", 1), carerix.Eq("b", 2)), `(a = 1 AND b = 2)`},
		{"or", carerix.Or(carerix.Eq("a", 1), carerix.IsNil("b")), `(a = 1 OR b = nil)`},
		{"not", carerix.Not(carerix.Eq("a", "x")), `NOT (a = 'x')`},
		{"nested", carerix.And(carerix.Eq("a", 1), carerix.Or(carerix.Eq("b", 2), carerix.Not(carerix.Eq("c", 3)))),
			`(a = 1 AND (b = 2 OR NOT (c = 3)))`},
		{"date utc", carerix.Date("modificationDate", carerix.OpGe, time.Date(2024, 11, 8, 23, 59, 59, 0, time.UTC)),
			`modificationDate >= (NSCalendarDate) '2024-11-08 23:59:59 +0000'`},
		{"date offset kept", carerix.Date("publicationStart", carerix.OpLe, time.Date(2024, 11, 8, 23, 59, 59, 0, cet)),
			`publicationStart <= (NSCalendarDate) '2024-11-08 23:59:59 +0100'`},
		{"time value via Eq", carerix.Eq("creationDate", time.Date(2024, 7, 1, 0, 0, 0, 0, carerix.Amsterdam())),
			`creationDate = (NSCalendarDate) '2024-07-01 00:00:00 +0200'`},
		{"unicode", carerix.Eq("city", "Zürich"), `city = 'Zürich'`},
		{"empty string", carerix.Eq("notes", ""), `notes = ''`},
		// Hostile values stay a single literal.
		{"apostrophe", carerix.Eq("lastName", "O'Brien"), `lastName = 'O\'Brien'`},
		{"injection", carerix.Eq("toStatusNode.value", "a' OR 1=1"), `toStatusNode.value = 'a\' OR 1=1'`},
		{"injection closing paren", carerix.Eq("value", "x') OR (1=1"), `value = 'x\') OR (1=1'`},
		{"backslash before quote", carerix.Eq("value", `a\' OR 1=1 OR '`), `value = 'a\\\' OR 1=1 OR \''`},
		{"trailing backslash", carerix.Eq("value", `a\`), `value = 'a\\'`},
		{"double quote", carerix.Eq("value", `say "hi"`), `value = 'say "hi"'`},
		{"like with quote", carerix.Like("lastName", "O'B*"), `lastName like 'O\'B*'`},
		{"in hostile", carerix.In("value", "a", "b' OR 'c"), `(value = 'a' OR value = 'b\' OR \'c')`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.q.Build()
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !balancedLiterals(got) {
				t.Errorf("literal quoting is unbalanced in %s", got)
			}
		})
	}
}

// balancedLiterals reports whether every single-quoted literal in s is
// closed, reading backslash escapes the way the builder writes them.
func balancedLiterals(s string) bool {
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case in && s[i] == '\\':
			i++
		case s[i] == '\'':
			in = !in
		}
	}
	return !in
}

func TestQualifierErrors(t *testing.T) {
	tests := []struct {
		name string
		q    carerix.Qualifier
		want string
	}{
		{"empty path", carerix.Eq("", "x"), "invalid key path"},
		{"path with space", carerix.Eq("a b", "x"), "invalid key path"},
		{"path injection", carerix.Eq("a = 1 OR b", "x"), "invalid key path"},
		{"path quote", carerix.Eq("a'", "x"), "invalid key path"},
		{"path trailing dot", carerix.Eq("a.", "x"), "invalid key path"},
		{"path leading digit", carerix.Eq("1a", "x"), "invalid key path"},
		{"unknown op", carerix.Compare("a", carerix.Op("=="), 1), "unknown operator"},
		{"op injection", carerix.Compare("a", carerix.Op("= 1 OR a ="), 1), "unknown operator"},
		{"nil with lt", carerix.Lt("a", nil), "only = and != accept nil"},
		{"like non-string", carerix.Compare("a", carerix.OpLike, 3), "pattern must be a string"},
		{"unsupported type", carerix.Eq("a", []string{"x"}), "unsupported value type"},
		{"struct type", carerix.Eq("a", struct{}{}), "unsupported value type"},
		{"NaN", carerix.Eq("a", nanValue()), "non-finite"},
		{"newline", carerix.Eq("a", "x\n OR 1=1"), "control character"},
		{"nul", carerix.Eq("a", "x\x00"), "control character"},
		{"invalid utf8", carerix.Eq("a", "x\xff' OR 1=1"), "not valid UTF-8"},
		{"zero date", carerix.Date("a", carerix.OpGe, time.Time{}), "zero time"},
		{"like date", carerix.Date("a", carerix.OpLike, time.Now()), "like does not apply"},
		{"empty in", carerix.In[string]("a"), "no values"},
		{"empty and", carerix.And(), "AND of no operands"},
		{"empty or", carerix.Or(), "OR of no operands"},
		{"error propagates through and", carerix.And(carerix.Eq("a", 1), carerix.Eq("b c", 2)), "invalid key path"},
		{"error propagates through not", carerix.Not(carerix.Eq("a", []int{})), "unsupported value type"},
		{"zero qualifier in and", carerix.And(carerix.Eq("a", 1), carerix.Qualifier{}), "empty operand"},
		{"not of zero", carerix.Not(carerix.Qualifier{}), "empty qualifier"},
		{"zero qualifier", carerix.Qualifier{}, "empty qualifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.q.Build()
			if err == nil {
				t.Fatalf("Build = %q, want error containing %q", got, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestValidPath(t *testing.T) {
	for path, want := range map[string]bool{
		"a": true, "_a1.b_2.C": true, "toStatusNode.parentNodes.value": true,
		"": false, ".a": false, "a..b": false, "a-b": false, "a.1": false, "é": false,
	} {
		if got := carerix.ValidPath(path); got != want {
			t.Errorf("ValidPath(%q) = %v, want %v", path, got, want)
		}
	}
}

// FuzzQualifierQuote checks that any string value renders as exactly one
// balanced literal that decodes back to the value.
func FuzzQualifierQuote(f *testing.F) {
	for _, s := range []string{"", "O'Brien", "a' OR 1=1", `\`, `\'`, `''`, "x') OR ('1'='1", "Zürich", "*?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := carerix.Eq("value", s).Build()
		if err != nil {
			if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("Build(%q) failed without control characters: %v", s, err)
			}
			return
		}
		lit, ok := strings.CutPrefix(got, "value = ")
		if !ok {
			t.Fatalf("unexpected shape %q", got)
		}
		dec, rest, ok := unquote(lit)
		if !ok || rest != "" {
			t.Fatalf("literal %q is not exactly one quoted string (rest %q)", lit, rest)
		}
		if dec != s {
			t.Fatalf("round trip: got %q, want %q", dec, s)
		}
	})
}

// unquote reads one single-quoted literal with backslash escapes from the
// start of s and returns its value and the remaining text.
func unquote(s string) (val, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '\'':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
