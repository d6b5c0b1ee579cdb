package carerixemu_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func seeded(t *testing.T, seed int64) *carerixemu.Server {
	t.Helper()
	clk := newClock()
	srv, err := carerixemu.New(carerixemu.Options{Tenant: "acme", SigningKey: testKey(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	res, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 200, Vacancies: 30, Matches: 120, Recruiters: 5, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Candidates) != 200 || len(res.Vacancies) != 30 || len(res.Matches) != 120 || len(res.Users) != 5 {
		t.Fatalf("seed result sizes %d/%d/%d/%d", len(res.Candidates), len(res.Vacancies), len(res.Matches), len(res.Users))
	}
	return srv
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b, c := seeded(t, 42), seeded(t, 42), seeded(t, 43)
	opts := cmpopts.IgnoreUnexported(carerixemu.Employee{})
	if diff := cmp.Diff(a.Employees(), b.Employees(), opts); diff != "" {
		t.Errorf("same seed, different candidates:\n%s", diff)
	}
	if cmp.Equal(a.Employees(), c.Employees(), opts) {
		t.Error("different seeds produced the same candidates")
	}
	if diff := cmp.Diff(a.Matches(), b.Matches(), cmpopts.IgnoreUnexported(carerixemu.Match{})); diff != "" {
		t.Errorf("same seed, different matches:\n%s", diff)
	}
}

func TestSeedIsRealisticAndHostile(t *testing.T) {
	srv := seeded(t, 1)
	has := map[string]int{}
	statuses := map[int]bool{}
	for _, e := range srv.Employees() {
		first, last, notes := deref(e.FirstName), deref(e.LastName), deref(e.Notes)
		mobile := deref(e.MobileNumber)
		checks := map[string]bool{
			"script":      strings.Contains(first, "<script>"),
			"html":        strings.Contains(notes, "<img"),
			"quote":       strings.Contains(last, "'"),
			"doublequote": strings.Contains(last, `"`),
			"emoji":       strings.Contains(first, "🚀"),
			"long":        utf8.RuneCountInString(notes) >= 2000 || utf8.RuneCountInString(first) >= 2000,
			"emptyPhone":  e.PhoneNumber != nil && *e.PhoneNumber == "",
			"noMobile":    e.MobileNumber == nil,
			"landline":    strings.HasPrefix(deref(e.PhoneNumber), "0") && !strings.HasPrefix(deref(e.PhoneNumber), "06"),
			"+31 6":       strings.HasPrefix(mobile, "+31 6 "),
			"06-":         strings.HasPrefix(mobile, "06-"),
			"van der":     deref(e.LastNamePrefix) == "van der",
			"de":          deref(e.LastNamePrefix) == "de",
			"cxscript":    strings.Contains(notes, "${activity"),
			"deleted":     e.Deleted,
			"email":       strings.HasSuffix(deref(e.EmailAddress), "@example.nl"),
		}
		for k, v := range checks {
			if v {
				has[k]++
			}
		}
		statuses[e.StatusNodeID] = true
	}
	for _, k := range []string{"script", "html", "quote", "doublequote", "emoji", "long", "emptyPhone", "noMobile",
		"landline", "+31 6", "06-", "van der", "de", "cxscript", "deleted", "email"} {
		if has[k] == 0 {
			t.Errorf("no candidate shows %q", k)
		}
	}
	if has["script"] > 200/carerixemu.HostileEvery {
		t.Errorf("%d script names: hostile values should be a fixed fraction", has["script"])
	}
	if len(statuses) < 6 {
		t.Errorf("only %d distinct candidate statuses", len(statuses))
	}
	users := srv.Users()
	if users[0].UserName != "admin" || users[0].RolesString() != "Administrator,Recruiter" {
		t.Errorf("first recruiter = %+v, want the admin", users[0])
	}
	for _, u := range users[1:] {
		if strings.Contains(u.RolesString(), carerixemu.RoleAdministrator) {
			t.Errorf("%s is also an administrator", u.UserName)
		}
	}
}

func TestStableHashTracksChanges(t *testing.T) {
	clk := newClock()
	srv, err := carerixemu.New(carerixemu.Options{Tenant: "acme", SigningKey: testKey(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	e0, _ := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{LastName: carerixemu.Str("A")})
	// The clock stands still: the hash must still change on every change.
	e1, _ := srv.UpdateEmployee(ctx, e0.ID, carerixemu.EmployeeFields{LastName: carerixemu.Str("B")})
	e2, _ := srv.UpdateEmployee(ctx, e0.ID, carerixemu.EmployeeFields{LastName: carerixemu.Str("A")})
	e3, _ := srv.UpdateEmployee(ctx, e0.ID, carerixemu.EmployeeFields{LastName: carerixemu.Str("A")})
	hashes := map[string]bool{e0.StableHash: true, e1.StableHash: true, e2.StableHash: true}
	if len(hashes) != 3 {
		t.Errorf("hashes not distinct across A->B->A: %v", hashes)
	}
	if e3.StableHash != e2.StableHash || !e3.ModificationDate.Equal(e2.ModificationDate) {
		t.Error("a no-op update changed the record")
	}
	clk.Advance(90 * time.Second)
	e4, _ := srv.SetEmployeeStatus(ctx, e0.ID, "Actief")
	if e4.StableHash == e3.StableHash || !e4.ModificationDate.After(e3.ModificationDate) {
		t.Errorf("status change: %+v", e4)
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
