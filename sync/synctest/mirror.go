package synctest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// Mirror is the comparable content of a tenant's mirror (or of the
// emulator's in-scope set): records keyed by id, their fields as text.
type Mirror struct {
	Candidates, Vacancies, Matches, Recruiters map[string]string
}

func (m Mirror) String() string {
	return fmt.Sprintf("%d candidates, %d vacancies, %d matches, %d recruiters",
		len(m.Candidates), len(m.Vacancies), len(m.Matches), len(m.Recruiters))
}

// Diff lists the differences of got from want, at most five per entity.
func Diff(got, want Mirror) []string {
	var out []string
	for _, e := range []struct {
		name      string
		got, want map[string]string
	}{
		{"candidate", got.Candidates, want.Candidates},
		{"vacancy", got.Vacancies, want.Vacancies},
		{"match", got.Matches, want.Matches},
		{"recruiter", got.Recruiters, want.Recruiters},
	} {
		n := 0
		ids := map[string]bool{}
		for id := range e.got {
			ids[id] = true
		}
		for id := range e.want {
			ids[id] = true
		}
		sorted := make([]string, 0, len(ids))
		for id := range ids {
			sorted = append(sorted, id)
		}
		sort.Strings(sorted)
		for _, id := range sorted {
			g, gok := e.got[id]
			w, wok := e.want[id]
			switch {
			case !gok:
				out = append(out, fmt.Sprintf("%s %s missing; want %s", e.name, id, w))
			case !wok:
				out = append(out, fmt.Sprintf("%s %s should not be there: %s", e.name, id, g))
			case g != w:
				out = append(out, fmt.Sprintf("%s %s = %s; want %s", e.name, id, g, w))
			default:
				continue
			}
			if n++; n == 5 {
				break
			}
		}
	}
	return out
}

func candidateText(first, prefix, last, email, phone, mobile, city, status, owner, hash string, mod time.Time) string {
	return strings.Join([]string{first, prefix, last, email, phone, mobile, city, status, owner, hash,
		mod.UTC().Format(time.RFC3339)}, "|")
}

func vacancyText(title, company, status, owner, hash string, mod time.Time) string {
	return strings.Join([]string{title, company, status, owner, hash, mod.UTC().Format(time.RFC3339)}, "|")
}

func matchText(cand, vac, stage string) string { return cand + "|" + vac + "|" + stage }

func recruiterText(user, first, last, email, hash string, active bool) string {
	return strings.Join([]string{user, first, last, email, hash, strconv.FormatBool(active)}, "|")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

func ref(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// InScope computes the emulator's in-scope set for the filters: the
// candidates and vacancies not deleted whose status label is chosen, the
// matches between them, and the users who own them.
func InScope(t testing.TB, emu *carerixemu.Server, filters recrubo.StatusFilters) Mirror {
	t.Helper()
	status := func(id int) string {
		if id == 0 {
			return ""
		}
		n, err := emu.DataNode(strconv.Itoa(id))
		if err != nil {
			t.Fatal(err)
		}
		return n.Value
	}
	inList := func(v string, list []string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	m := Mirror{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	owners := map[string]bool{}
	// Where the API gives no stableHash, the mirror has none.
	hash := func(h string) string {
		if !ExposesStableHash(emu) {
			return ""
		}
		return h
	}
	for _, e := range emu.Employees() {
		if e.Deleted || !inList(status(e.StatusNodeID), filters.CandidateStatuses) {
			continue
		}
		m.Candidates[e.ID] = candidateText(deref(e.FirstName), deref(e.LastNamePrefix), deref(e.LastName), deref(e.EmailAddress),
			deref(e.PhoneNumber), deref(e.MobileNumber), deref(e.City), ref(e.StatusNodeID), ref(e.OwnerID), hash(e.StableHash), e.ModificationDate)
		owners[ref(e.OwnerID)] = true
	}
	for _, v := range emu.Vacancies() {
		if v.Deleted || !inList(status(v.StatusNodeID), filters.VacancyStatuses) {
			continue
		}
		title := deref(v.JobTitle)
		if title == "" {
			title = deref(v.TitleInformation)
		}
		company := ""
		if v.CompanyID != 0 {
			c, err := emu.Company(strconv.Itoa(v.CompanyID))
			if err != nil {
				t.Fatal(err)
			}
			company = c.Name
		}
		m.Vacancies[v.ID] = vacancyText(title, company, ref(v.StatusNodeID), ref(v.OwnerID), hash(v.StableHash), v.ModificationDate)
		owners[ref(v.OwnerID)] = true
	}
	stages := map[int]string{}
	for _, si := range emu.StatusInfos() {
		stages[si.StatusInfoID] = si.DisplayName
		if si.DisplayName == "" {
			stages[si.StatusInfoID] = si.StatusName
		}
	}
	for _, x := range emu.Matches() {
		c, v := ref(x.EmployeeID), ref(x.VacancyID)
		if x.Deleted || m.Candidates[c] == "" || m.Vacancies[v] == "" {
			continue
		}
		m.Matches[x.ID] = matchText(c, v, stages[x.StatusInfoID])
	}
	for _, u := range emu.Users() {
		if !owners[u.ID] {
			continue
		}
		m.Recruiters[u.ID] = recruiterText(u.UserName, deref(u.FirstName), deref(u.LastName), deref(u.EmailAddress), hash(u.StableHash), u.IsActive)
	}
	return m
}

// ExposesStableHash reports whether emu's GraphQL API gives records'
// stableHash (its profile's schema has it).
func ExposesStableHash(emu *carerixemu.Server) bool {
	for line := range strings.Lines(emu.SDL()) {
		if strings.HasPrefix(strings.TrimSpace(line), "stableHash:") {
			return true
		}
	}
	return false
}

// Read reads the tenant's mirror from ds.
func Read(t testing.TB, ds recrubo.DataStore, tenantID string) Mirror {
	t.Helper()
	ctx := t.Context()
	m := Mirror{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	for after := ""; ; {
		cs, err := ds.Candidates(ctx, tenantID, recrubo.ListOptions{AfterID: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			m.Candidates[c.ID] = candidateText(c.FirstName, c.LastNamePrefix, c.LastName, c.Email, c.Phone, c.Mobile, c.City,
				c.StatusID, c.OwnerID, c.StableHash, c.ModifiedAt)
		}
		if len(cs) < 500 {
			break
		}
		after = cs[len(cs)-1].ID
	}
	for after := ""; ; {
		vs, err := ds.Vacancies(ctx, tenantID, recrubo.ListOptions{AfterID: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			m.Vacancies[v.ID] = vacancyText(v.Title, v.CompanyName, v.StatusID, v.OwnerID, v.StableHash, v.ModifiedAt)
		}
		if len(vs) < 500 {
			break
		}
		after = vs[len(vs)-1].ID
	}
	if err := ds.MatchIDs(ctx, tenantID, func(id string) error {
		x, err := ds.Match(ctx, tenantID, id)
		if err != nil {
			return err
		}
		m.Matches[id] = matchText(x.CandidateID, x.VacancyID, x.Stage)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs, err := ds.Recruiters(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		m.Recruiters[r.ID] = recruiterText(r.UserName, r.FirstName, r.LastName, r.Email, r.StableHash, r.Active)
	}
	return m
}

// Check fails the test when the tenant's mirror in ds differs from the
// emulator's in-scope set.
func (e *Env) Check(t testing.TB, ds recrubo.DataStore) {
	t.Helper()
	g, w := Read(t, ds, e.Tenant.ID), InScope(t, e.Emu, e.Tenant.Filters)
	if d := Diff(g, w); len(d) > 0 {
		t.Fatalf("mirror (%v) differs from Carerix's in-scope set (%v):\n  %s", g, w, strings.Join(d, "\n  "))
	}
}

// RecruiterText is the comparable text of an emulator user as a recruiter
// of emu's mirror.
func RecruiterText(emu *carerixemu.Server, u carerixemu.User) string {
	h := u.StableHash
	if !ExposesStableHash(emu) {
		h = ""
	}
	return recruiterText(u.UserName, deref(u.FirstName), deref(u.LastName), deref(u.EmailAddress), h, u.IsActive)
}
