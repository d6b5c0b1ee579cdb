package carerixemu

import (
	"testing"
)

// FuzzParseQualifier checks that any input either parses or yields a
// *QualifierError, that parsed qualifiers print to text that re-parses to
// the same qualifier, and that compiling and evaluating them never panics.
// The seed corpus runs in every go test.
func FuzzParseQualifier(f *testing.F) {
	for _, seed := range []string{
		"",
		"toStatusNode.parentNodes.value = 'CandidateActiveTag'",
		"publicationStart <= (NSCalendarDate) '2024-11-08 23:59:59' AND (publicationEnd > (NSCalendarDate) '2024-11-09 00:00:00' OR publicationEnd = nil)",
		"toVacancy.isOpenApplication = 0 AND toVacancy.deleted = 0",
		`attributeChanges.attributeName == "statusInfo"`,
		"firstName like 'Ja*' or lastName caseInsensitiveLike '*DE*'",
		"NOT (employeeID >= (NSNumber) '10') AND modificationDate > '2024-01-01 00:00:00 +0100'",
		`notes = 'it''s \'quoted\' \\ "x"'`,
		"((((a = 1))))",
		"owner.toUserRole.name = 'Administrator' AND matches.statusInfo.isFinal = true",
		"employeeID = -1.5e3",
		"x = 'unterminated",
		"a.b. = 1",
	} {
		f.Add(seed)
	}
	s := fixture(f)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseQualifier(src)
		if err != nil {
			if _, ok := err.(*QualifierError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		text := q.String()
		again, err := ParseQualifier(text)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, text, err)
		}
		if again.String() != text {
			t.Fatalf("%q printed as %q, re-printed as %q", src, text, again.String())
		}
		for _, kind := range []string{KindEmployee, KindDataNode, KindMatch} {
			if _, _, err := s.findPage(kind, q, true, 0, 10); err != nil {
				if _, ok := err.(*QualifierError); !ok {
					t.Fatalf("compile error of type %T: %v", err, err)
				}
			}
		}
	})
}
