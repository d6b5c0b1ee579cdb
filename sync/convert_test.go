package carerixsync

import (
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

func TestToCandidate(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	mod := now.Add(-time.Hour)
	e := &carerix.Employee{
		ID: "42", FirstName: " Eva ", LastNamePrefix: "van der", LastName: "Berg", EmailAddress: "eva@example.nl",
		PhoneNumber: "020-1234567", MobileNumber: "06-12345678", ModificationDate: mod, OwnerID: "7",
		Status: &carerix.DataNode{ID: "s1", Value: "Actief"},
	}
	nl := &recrubo.Tenant{ID: "t1", PhoneRegion: "NL"}
	c := toCandidate(nl, e, now)
	if c.FullName() != "Eva van der Berg" || c.PhoneE164 != "+31612345678" || c.StatusID != "s1" || c.StatusLabel != "Actief" ||
		c.OwnerID != "7" || !c.ModifiedAt.Equal(mod) || !c.SyncedAt.Equal(now) || c.TenantID != "t1" {
		t.Errorf("toCandidate = %+v", c)
	}
	// No usable mobile: a landline is never the WhatsApp number; a mobile
	// number in the phone field is.
	e.MobileNumber = "onbekend"
	if got := toCandidate(nl, e, now).PhoneE164; got != "" {
		t.Errorf("a landline became the WhatsApp number: %q", got)
	}
	e.PhoneNumber = "06 8765 4321"
	if got := toCandidate(nl, e, now).PhoneE164; got != "+31687654321" {
		t.Errorf("a mobile number in the phone field = %q", got)
	}
	e.PhoneNumber = ""
	e.Status = nil
	c = toCandidate(nl, e, now)
	if c.PhoneE164 != "" || c.StatusID != "" {
		t.Errorf("no phone/status: %+v", c)
	}

	// A Belgian tenant reads numbers without a country code as Belgian;
	// the same digits are no Dutch mobile number.
	e.MobileNumber = "0470 12 34 56"
	if got := toCandidate(&recrubo.Tenant{ID: "t2", PhoneRegion: "BE"}, e, now).PhoneE164; got != "+32470123456" {
		t.Errorf("a Belgian mobile number for a Belgian tenant = %q, want +32470123456", got)
	}
	if got := toCandidate(nl, e, now).PhoneE164; got != "" {
		t.Errorf("a Belgian mobile number written without +32 for a Dutch tenant = %q, want none", got)
	}
}

func TestToVacancyMatchRecruiterStatus(t *testing.T) {
	now := time.Now()
	v := toVacancy("t", &carerix.Vacancy{ID: "v1", TitleInformation: "Heftruckchauffeur", CompanyName: "Acme", Status: &carerix.DataNode{ID: "o", Value: "Open"}}, now)
	if v.Title != "Heftruckchauffeur" || v.StatusLabel != "Open" || v.CompanyName != "Acme" {
		t.Errorf("toVacancy = %+v", v)
	}
	mMod, cMod, vMod := now.Add(-3*time.Hour), now.Add(-time.Hour), now.Add(-2*time.Hour)
	m := toMatch("t", &carerix.Match{ID: "1.2", EmployeeID: "42", VacancyID: "v1", ModificationDate: mMod,
		Stage: &carerix.MatchStage{Label: "Intake gepland"}},
		&recrubo.Candidate{ModifiedAt: cMod}, &recrubo.Vacancy{ModifiedAt: vMod}, now)
	if m.ID != "1.2" || m.CandidateID != "42" || m.Stage != "Intake gepland" || !m.ModifiedAt.Equal(cMod) {
		t.Errorf("toMatch = %+v, want the candidate's newer modification time", m)
	}
	r := toRecruiter("t", &carerix.User{ID: "7", UserName: "jdevries", IsActive: true, StableHash: "h1"}, now)
	if r.FullName() != "jdevries" || !r.Active || r.StableHash != "h1" || !r.ModifiedAt.Equal(now) {
		t.Errorf("toRecruiter = %+v", r)
	}
	n := toStatusNode("t", recrubo.StatusCandidate, &carerix.DataNode{ID: "s1", Value: "Actief", ExportCode: "CAND_ACTIVE",
		Parents: []carerix.DataNode{{Tag: "CandidateActiveTag"}, {Value: "Other"}}})
	if strings.Join(n.ParentTags, ",") != "CandidateActiveTag,Other" || n.Kind != recrubo.StatusCandidate {
		t.Errorf("toStatusNode = %+v", n)
	}
}

func TestResolveStatuses(t *testing.T) {
	nodes := []*recrubo.StatusNode{
		{ID: "1", Value: "Actief", ExportCode: "CAND_ACTIVE"},
		{ID: "2", Value: "Nieuw", ExportCode: "CAND_NEW"},
		{ID: "3", Value: "Beschikbaar"},
		{ID: "4", Value: "CAND_NEW"}, // a label that equals another node's export code
	}
	got, err := ResolveStatuses(recrubo.StatusCandidate, nodes, []string{"cand_active", "beschikbaar", "Actief", "CAND_NEW"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range got {
		ids = append(ids, n.ID)
	}
	if strings.Join(ids, ",") != "1,3,2" {
		t.Errorf("resolved ids = %v, want 1,3,2 (export codes win, duplicates folded)", ids)
	}
	_, err = ResolveStatuses(recrubo.StatusCandidate, nodes, []string{"Actief", "Geplaatst", "a' OR 1=1"})
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("unknown status: %v", err)
	}
	msg := recrubo.ErrorMessage(err)
	for _, want := range []string{`"Geplaatst"`, `"a' OR 1=1"`, "Actief (CAND_ACTIVE)", "Beschikbaar"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %s", msg, want)
		}
	}
}
