package carerixemu

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture builds a small store for qualifier tests. Candidates are
// created one hour apart from 2024-11-08 20:00 UTC (21:00 in Amsterdam).
func fixture(t testing.TB) *Store {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2024, 11, 8, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func() {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Hour)
	}
	s := newStore("acme", clock, nil, false, rulesFor(ProfileDocs))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	admin, err := s.CreateUser(ctx, UserFields{UserName: Str("admin"), Roles: []string{RoleAdministrator}})
	must(err)
	rec, err := s.CreateUser(ctx, UserFields{UserName: Str("rec"), Roles: []string{RoleRecruiter}})
	must(err)
	emps := []EmployeeFields{
		{FirstName: Str("Jan"), LastName: Str("Bakker"), PhoneNumber: Str("020-1234567"), Status: Str("Actief"), Owner: &admin.ID, Notes: Str("a'b")},
		{FirstName: Str("Piet"), LastNamePrefix: Str("de"), LastName: Str("Vries"), Status: Str("Nieuw"), Owner: &rec.ID},
		{FirstName: Str("Anna"), LastName: Str("Bakkerman"), Status: Str("CAND_ARCHIVED"), City: Str("Utrecht")},
		{FirstName: Str("x' OR '1'='1"), LastName: Str("O'Brien")},
		{FirstName: Str("Jan"), LastName: Str("Jansen"), Status: Str("Actief")},
		{FirstName: Str("JAN"), LastName: Str("bakker"), Status: Str("Beschikbaar"), Notes: Str(`say "hi"`)},
	}
	for _, f := range emps {
		_, err := s.CreateEmployee(ctx, f)
		must(err)
		advance()
	}
	must(s.DeleteEmployee(ctx, "5"))
	v, err := s.CreateVacancy(ctx, VacancyFields{JobTitle: Str("Monteur"), Status: Str("Open")})
	must(err)
	_, err = s.CreateMatch(ctx, MatchFields{Employee: Str("1"), Vacancy: &v.ID, Stage: Str("placed")})
	must(err)
	_, err = s.CreateMatch(ctx, MatchFields{Employee: Str("2"), Vacancy: &v.ID})
	must(err)
	return s
}

func matching(t *testing.T, s *Store, kind, q string, norestrict bool) []string {
	t.Helper()
	parsed, err := ParseQualifier(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	items, total, err := s.findPage(kind, parsed, norestrict, 0, 100)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var ids []string
	for _, it := range items {
		switch v := it.(type) {
		case Employee:
			ids = append(ids, v.ID)
		case DataNode:
			ids = append(ids, v.Value)
		}
	}
	if total != len(ids) {
		t.Fatalf("%s: total %d != %d items", q, total, len(ids))
	}
	return ids
}

func TestQualifierSemantics(t *testing.T) {
	s := fixture(t)
	tests := []struct {
		q          string
		norestrict bool
		want       string // comma-separated candidate ids
	}{
		{q: "", want: "1,2,3,4,6"},
		{q: "   ", want: "1,2,3,4,6"},
		{q: "firstName = 'Jan'", want: "1"},
		{q: `firstName == "Jan"`, norestrict: true, want: "1,5"},
		{q: "firstName != 'Jan'", want: "2,3,4,6"},
		{q: "lastNamePrefix != 'de'", want: ""},
		{q: "lastNamePrefix = nil", want: "1,3,4,6"},
		{q: "lastNamePrefix != nil", want: "2"},
		{q: "phoneNumber = NIL", want: "2,3,4,6"},
		{q: "phoneNumber != null", want: "1"},
		{q: "lastName like 'Bakker*'", want: "1,3"},
		{q: "lastName like '*er'", want: "1,6"},
		{q: "lastName caseInsensitiveLike 'BAKKER'", want: "1,6"},
		{q: "firstName like 'J?n'", want: "1"},
		{q: "firstName caseinsensitivelike 'j?n'", want: "1,6"},
		{q: "lastName like '*'", want: "1,2,3,4,6"},
		{q: "toStatusNode.value = 'Actief'", want: "1"},
		{q: "toStatusNode.parentNodes.value = 'CandidateActiveTag'", want: "1,2,6"},
		{q: "toStatusNode.parentNodes.value = 'CandidateActiveTag'", norestrict: true, want: "1,2,5,6"},
		{q: "NOT (toStatusNode.parentNodes.value = 'CandidateActiveTag')", want: "3,4"},
		{q: "toStatusNode.parentNodes.value != 'CandidateActiveTag'", want: "3"},
		{q: "toStatusNode = nil", want: "4"},
		{q: "toStatusNode.exportCode = 'CAND_NEW' or toStatusNode.exportCode = 'CAND_AVAILABLE'", want: "2,6"},
		{q: "toStatusNode.type.name = 'Kandidaat-status'", want: "1,2,3,6"},
		{q: "firstName = 'Jan' OR firstName = 'Piet' AND city = 'Utrecht'", want: "1"},
		{q: "(firstName = 'Jan' OR firstName = 'Piet') AND lastName like '*r*'", want: "1,2"},
		{q: "(firstName = 'Jan' OR firstName = 'Piet') AND lastName like '*k*'", want: "1"},
		{q: "not firstName = 'Jan' and not lastName like 'Bakker*'", want: "2,4,6"},
		{q: "employeeID >= 2 AND employeeID < 4", want: "2,3"},
		{q: "employeeID = '3'", want: "3"},
		{q: "employeeID > 1.5 AND employeeID <= (NSNumber) 3", want: "2,3"},
		{q: "_id = '4'", want: "4"},
		{q: "deleted = 0", norestrict: true, want: "1,2,3,4,6"},
		{q: "deleted = 1", norestrict: true, want: "5"},
		{q: "deleted = true", norestrict: true, want: "5"},
		{q: "creationDate > (NSCalendarDate) '2024-11-08 23:59:59 +0100'", want: "4,6"},
		{q: "creationDate > (NSCalendarDate) '2024-11-08 23:59:59'", want: "4,6"},
		{q: "creationDate > (NSCalendarDate) '2024-11-08 22:59:59 +0000'", want: "4,6"},
		{q: "creationDate >= (NSCalendarDate) '2024-11-08T22:00:00Z'", want: "3,4,6"},
		{q: "creationDate < '2024-11-08 22:00:00'", want: "1"},
		{q: "modificationDate >= (NSCalendarDate) '2024-11-09 00:00:00 +0000'", norestrict: true, want: "5,6"},
		{q: "firstName = 'x'' OR ''1''=''1'", want: "4"},
		{q: `firstName = 'x\' OR \'1\'=\'1'`, want: "4"},
		{q: "firstName = 'Jan' OR '1'='1'", want: "invalid"},
		{q: "lastName = 'O''Brien'", want: "4"},
		{q: `lastName = "O'Brien"`, want: "4"},
		{q: "notes = 'a\\'b'", want: "1"},
		{q: `notes = "say ""hi"""`, want: "6"},
		{q: `notes = 'say "hi"'`, want: "6"},
		{q: "owner.userName = 'admin'", want: "1"},
		{q: "owner.toUserRole.name = 'Recruiter'", want: "2"},
		{q: "owner = nil", want: "3,4,6"},
		{q: "owner = 2", want: "2"},
		{q: "matches.statusInfo.statusName = 'placed'", want: "1"},
		{q: "matches.toVacancy.jobTitle = 'Monteur'", want: "1,2"},
		{q: "matches = nil", want: "3,4,6"},
		{q: "matches.statusInfo.isFinal = 1", want: "1"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if tc.want == "invalid" {
				if err := ValidateQualifier(KindEmployee, tc.q); err == nil {
					t.Fatal("accepted")
				}
				return
			}
			got := strings.Join(matching(t, s, KindEmployee, tc.q, tc.norestrict), ",")
			if got != tc.want {
				t.Errorf("got [%s], want [%s]", got, tc.want)
			}
		})
	}
}

func TestQualifierOnDataNodes(t *testing.T) {
	s := fixture(t)
	got := matching(t, s, KindDataNode, "type.name = 'Kandidaat-status' AND parentNodes.value = 'CandidateInactiveTag'", false)
	if want := []string{"Niet beschikbaar", "Geplaatst", "Archief"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got = matching(t, s, KindDataNode, "childrenNodes.exportCode = 'VAC_OPEN'", false)
	if want := []string{TagVacancyOpen}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestQualifierErrors(t *testing.T) {
	tests := []struct{ q, wantMsg string }{
		{"nope = 1", `no key "nope"`},
		{"toStatusNode.nope = 1", `CRDataNode has no key "nope"`},
		{"firstName.value = 'x'", "not a relation"},
		{"firstName like 5", "quoted pattern"},
		{"employeeID like '1*'", "text key"},
		{"employeeID = 'abc'", "is a number"},
		{"modificationDate > 'garbage'", "is a date"},
		{"modificationDate > 5", "is a date"},
		{"(NSCalendarDate) '2024-01-01' = creationDate", "expected an operator"},
		{"creationDate > (NSCalendarDate) 'tomorrow'", "unrecognised date"},
		{"creationDate > (NSFoo) 'x'", "unsupported cast"},
		{"firstName = 'abc", "unterminated string"},
		{"(firstName = 'a'", "expected )"},
		{"firstName = ", "expected a value"},
		{"firstName = 'a' lastName = 'b'", "unexpected"},
		{"firstName = lastName", "must be a literal"},
		{"firstName < nil", "nil can only"},
		{"deleted = 2", "boolean"},
		{"toStatusNode < 3", "relation"},
		{"firstName = 'a' AND", "expected a key path"},
		{"firstName ~ 'a'", "unexpected character"},
		{"toStatusNode. = 1", "must not end with a dot"},
		{"employeeID = 1e999", "invalid number"},
		{strings.Repeat("(", 100) + "firstName = 'a'" + strings.Repeat(")", 100), "nesting"},
		{strings.Repeat("NOT ", 100) + "firstName = 'a'", "nesting"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			err := ValidateQualifier(KindEmployee, tc.q)
			var qe *QualifierError
			if !errors.As(err, &qe) {
				t.Fatalf("got %v, want a *QualifierError", err)
			}
			if !strings.Contains(qe.Msg, tc.wantMsg) {
				t.Errorf("message %q lacks %q", qe.Msg, tc.wantMsg)
			}
			if qe.Pos < 0 || qe.Pos > len(tc.q) {
				t.Errorf("position %d outside the qualifier", qe.Pos)
			}
		})
	}
}

func TestQualifierStringRoundTrips(t *testing.T) {
	for _, q := range []string{
		"a = 'x' or b = \"y\" and not (c != nil)",
		`notes = 'it''s \\ "quoted"' AND x like '\*lit*'`,
		"d >= (NSCalendarDate) '2024-11-08 23:59:59' AND n < -1.5e3",
	} {
		p, err := ParseQualifier(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		again, err := ParseQualifier(p.String())
		if err != nil || again.String() != p.String() {
			t.Errorf("%s: %q re-parses to %q (%v)", q, p.String(), again.String(), err)
		}
	}
	p, _ := ParseQualifier("d = (NSCalendarDate) '2024-07-01 12:00:00'")
	if !strings.Contains(p.String(), "+0200") {
		t.Errorf("summer date without offset should read as Amsterdam +0200: %s", p)
	}
}

func TestLikeLiteralWildcards(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{`a\*b`, "a*b", true}, {`a\*b`, "axb", false}, {"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false}, {"", "", true}, {"", "x", false}, {"*", "", true},
		{"?", "é", true}, {"??", "é", false}, {"*a", "bbba", true}, {"a**", "a", true},
	} {
		if got := likeMatch(compileLike(tc.pat), tc.s); got != tc.want {
			t.Errorf("like(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}
