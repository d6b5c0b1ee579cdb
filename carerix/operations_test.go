package carerix_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestEmployeeByID(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	owner, err := srv.CreateUser(ctx, carerixemu.UserFields{UserName: ptr("jdoe"), FirstName: ptr("Jan"), LastName: ptr("Doe")})
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{
		FirstName: ptr("Anna"), LastNamePrefix: ptr("de"), LastName: ptr("Vries"),
		EmailAddress: ptr("anna@example.nl"), MobileNumber: ptr("+31612345678"), City: ptr("Utrecht"),
		Status: ptr("CAND_ACTIVE"), Owner: ptr(owner.ID),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)

	e, err := c.Employee(ctx, seeded.ID)
	if err != nil {
		t.Fatalf("Employee: %v", err)
	}
	if e.ID != seeded.ID || e.FirstName != "Anna" || e.LastNamePrefix != "de" || e.LastName != "Vries" ||
		e.EmailAddress != "anna@example.nl" || e.MobileNumber != "+31612345678" || e.City != "Utrecht" ||
		e.OwnerID != owner.ID || e.Deleted {
		t.Errorf("employee = %+v", e)
	}
	if e.EmployeeID == "" || e.EmployeeID != strconv.Itoa(seeded.EmployeeID) {
		t.Errorf("EmployeeID = %q, want %d", e.EmployeeID, seeded.EmployeeID)
	}
	if !e.ModificationDate.Equal(seeded.ModificationDate) || !e.CreationDate.Equal(seeded.CreationDate) {
		t.Errorf("dates %v / %v, want %v / %v", e.CreationDate, e.ModificationDate, seeded.CreationDate, seeded.ModificationDate)
	}
	if e.Status == nil || e.Status.ExportCode != "CAND_ACTIVE" || e.Status.Value == "" {
		t.Fatalf("status = %+v", e.Status)
	}
	if !slices.ContainsFunc(e.Status.Parents, func(p carerix.DataNode) bool { return p.Tag == "CandidateActiveTag" }) {
		t.Errorf("status parents = %+v, want CandidateActiveTag", e.Status.Parents)
	}

	_, err = c.Employee(ctx, "987654")
	if !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("missing employee: err = %v, want ErrNotFound", err)
	}
	if _, err := c.Employee(ctx, ""); !errors.Is(err, carerix.ErrBadRequest) {
		t.Errorf("empty id: err = %v", err)
	}
}

func TestSoftDeletedNeedNoRestrict(t *testing.T) {
	srv := startEmulator(t, nil)
	ids := seedEmployees(t, srv, 3, "")
	if err := srv.DeleteEmployee(t.Context(), ids[1]); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)
	live, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.EmployeePage(t.Context(), carerix.PageRequest{NoRestrict: true})
	if err != nil {
		t.Fatal(err)
	}
	if live.TotalElements != 2 || all.TotalElements != 3 {
		t.Fatalf("live %d, all %d; want 2 and 3", live.TotalElements, all.TotalElements)
	}
	for _, e := range all.Items {
		if e.Deleted != (e.ID == ids[1]) {
			t.Errorf("employee %s Deleted = %v", e.ID, e.Deleted)
		}
	}
}

func TestVacanciesAndMatches(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	emp := seedEmployees(t, srv, 2, "CAND_ACTIVE")
	open, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: ptr("Heftruckchauffeur"), CompanyName: ptr("Bouwbedrijf BV"), Status: ptr("VAC_OPEN")})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: ptr("Lasser"), Status: ptr("VAC_CLOSED")})
	if err != nil {
		t.Fatal(err)
	}
	stages := srv.StatusInfos()
	if len(stages) == 0 {
		t.Fatal("emulator has no match stages")
	}
	m, err := srv.CreateMatch(ctx, carerixemu.MatchFields{Employee: &emp[0], Vacancy: &open.ID, Stage: &stages[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CreateMatch(ctx, carerixemu.MatchFields{Employee: &emp[1], Vacancy: &closed.ID}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)

	v, err := c.Vacancy(ctx, open.ID)
	if err != nil {
		t.Fatalf("Vacancy: %v", err)
	}
	if v.JobTitle != "Heftruckchauffeur" || v.CompanyName != "Bouwbedrijf BV" || v.CompanyID == "" ||
		v.Status == nil || v.Status.ExportCode != "VAC_OPEN" || v.VacancyID != strconv.Itoa(open.VacancyID) {
		t.Errorf("vacancy = %+v", v)
	}
	q, err := carerix.Eq("toStatusNode.parentNodes.value", "VacancyOpenTag").Build()
	if err != nil {
		t.Fatal(err)
	}
	var openIDs []string
	for v, err := range c.Vacancies(ctx, carerix.PageRequest{Qualifier: q}) {
		if err != nil {
			t.Fatal(err)
		}
		openIDs = append(openIDs, v.ID)
	}
	if !slices.Equal(openIDs, []string{open.ID}) {
		t.Errorf("open vacancies = %v, want [%s]", openIDs, open.ID)
	}

	mq, err := carerix.Eq("toVacancy._id", open.ID).Build()
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.MatchPage(ctx, carerix.PageRequest{Qualifier: mq})
	if err != nil {
		t.Fatalf("MatchPage: %v", err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("got %d matches, want 1", len(page.Items))
	}
	got := page.Items[0]
	if got.ID != m.ID || got.EmployeeID != emp[0] || got.VacancyID != open.ID || got.Stage == nil ||
		got.Stage.ID != stages[0].ID || got.Stage.Label != stages[0].DisplayName {
		t.Errorf("match = %+v (stage %+v)", got, got.Stage)
	}
	one, err := c.Match(ctx, m.ID)
	if err != nil || one.ID != m.ID {
		t.Errorf("Match(%s) = %+v, %v", m.ID, one, err)
	}
	n := 0
	for _, err := range c.Matches(ctx, carerix.PageRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("walked %d matches, want 2", n)
	}
}

func TestUsers(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	u, err := srv.CreateUser(ctx, carerixemu.UserFields{UserName: ptr("pjansen"), FirstName: ptr("Piet"), LastName: ptr("Jansen"), EmailAddress: ptr("piet@example.nl"), IsActive: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)
	got, err := c.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if got.UserName != "pjansen" || got.FirstName != "Piet" || got.EmailAddress != "piet@example.nl" || !got.IsActive || got.UserID != strconv.Itoa(u.UserID) {
		t.Errorf("user = %+v", got)
	}
	var names []string
	for u, err := range c.Users(ctx, carerix.PageRequest{Size: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, u.UserName)
	}
	if !slices.Contains(names, "pjansen") || len(names) != len(srv.Users()) {
		t.Errorf("users = %v, emulator has %d", names, len(srv.Users()))
	}
}

func TestDataNodeListBy(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, nil)
	nodes, err := c.DataNodeListBy(t.Context(), "Kandidaat-status", "")
	if err != nil {
		t.Fatalf("DataNodeListBy: %v", err)
	}
	want := srv.DataNodes("Kandidaat-status")
	if len(nodes) != len(want) || len(nodes) == 0 {
		t.Fatalf("got %d nodes, emulator has %d", len(nodes), len(want))
	}
	byCode := map[string]carerix.DataNode{}
	for _, n := range nodes {
		byCode[n.ExportCode] = n
	}
	active, ok := byCode["CAND_ACTIVE"]
	if !ok || active.Value == "" || active.DataNodeID == "" || active.NotActive {
		t.Errorf("CAND_ACTIVE = %+v", active)
	}
	if len(active.Parents) != 1 || active.Parents[0].Tag != "CandidateActiveTag" {
		t.Errorf("CAND_ACTIVE parents = %+v", active.Parents)
	}
	if old := byCode["CAND_OLD"]; !old.NotActive {
		t.Errorf("CAND_OLD = %+v, want notActive", old)
	}

	cv, err := c.DataNodeListBy(t.Context(), "Document-type", "CVTag")
	if err != nil {
		t.Fatal(err)
	}
	if len(cv) != 1 || cv[0].ExportCode != "DOC_CV" {
		t.Errorf("Document-type/CVTag = %+v", cv)
	}
	if _, err := c.DataNodeListBy(t.Context(), "", ""); !errors.Is(err, carerix.ErrBadRequest) {
		t.Errorf("empty type: %v", err)
	}
}

func TestTemplateReferenceLifecycle(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	c := newClient(t, srv, nil)
	content := `<cx:write value="$activity.toEmployee.employeeID"/>`
	created, err := c.CreateTemplateReference(ctx, carerix.TemplateReferenceRequest{
		Name: ptr("Recrubo inbox"), Code: ptr("recrubo.inbox"), TargetEntityName: ptr("CREmployee"),
		RawContent: &content, IsEmbedded: ptr(true), ShowInMenu: ptr(true),
	})
	if err != nil {
		t.Fatalf("CreateTemplateReference: %v", err)
	}
	if created.ID == "" || created.Name != "Recrubo inbox" || created.Code != "recrubo.inbox" || !created.IsEmbedded ||
		!created.ShowInMenu || created.RawContent != content || created.TargetEntityName != "CREmployee" {
		t.Errorf("created = %+v", created)
	}

	updated, err := c.UpdateTemplateReference(ctx, created.ID, carerix.TemplateReferenceRequest{Name: ptr("Recrubo inbox v2"), ShowInMenu: ptr(false)})
	if err != nil {
		t.Fatalf("UpdateTemplateReference: %v", err)
	}
	if updated.Name != "Recrubo inbox v2" || updated.ShowInMenu || updated.Code != "recrubo.inbox" {
		t.Errorf("updated = %+v", updated)
	}

	q, err := carerix.Like("code", "recrubo.*").Build()
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.TemplateReferencePage(ctx, carerix.PageRequest{Qualifier: q})
	if err != nil {
		t.Fatalf("TemplateReferencePage: %v", err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != created.ID {
		t.Errorf("templates = %+v", page.Items)
	}

	if err := c.DeleteTemplateReference(ctx, created.ID); err != nil {
		t.Fatalf("DeleteTemplateReference: %v", err)
	}
	if _, err := c.TemplateReference(ctx, created.ID); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := c.DeleteTemplateReference(ctx, created.ID); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
}

func TestInvalidQualifierIsTyped(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, nil)
	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{Qualifier: "lastName = = 'x'"})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrInvalidQualifier {
		t.Fatalf("err = %v, want ErrInvalidQualifier", err)
	}
	if got := srv.Stats().GraphQLRequests; got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

// TestQualifierInjectionIsImpossible stores hostile values in the
// emulator and checks that filtering on them matches only the literal.
func TestQualifierInjectionIsImpossible(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	hostile, err := srv.CreateDataNode(ctx, carerixemu.DataNodeFields{Type: "Kandidaat-status", Value: "a' OR 1=1", ExportCode: "HOSTILE"})
	if err != nil {
		t.Fatal(err)
	}
	tricky := []string{"a' OR 1=1", `b\' OR 1=1 OR \'`, "O'Brien", `c\`}
	ids := map[string]string{}
	for _, name := range tricky {
		status := hostile.ID
		e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{LastName: ptr(name), Status: &status})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = e.ID
	}
	others := seedEmployees(t, srv, 5, "CAND_ACTIVE")
	c := newClient(t, srv, nil)

	walk := func(t *testing.T, q carerix.Qualifier) []string {
		t.Helper()
		s, err := q.Build()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for e, err := range c.Employees(ctx, carerix.PageRequest{Qualifier: s}) {
			if err != nil {
				t.Fatalf("qualifier %s: %v", s, err)
			}
			got = append(got, e.ID)
		}
		return got
	}
	t.Run("StatusLabel", func(t *testing.T) {
		got := walk(t, carerix.Eq("toStatusNode.value", "a' OR 1=1"))
		if len(got) != len(tricky) {
			t.Errorf("matched %d employees, want the %d with the literal label", len(got), len(tricky))
		}
		for _, id := range got {
			if slices.Contains(others, id) {
				t.Errorf("injected qualifier matched unrelated employee %s", id)
			}
		}
	})
	for _, name := range tricky {
		t.Run("LastName "+name, func(t *testing.T) {
			got := walk(t, carerix.Eq("lastName", name))
			if !slices.Equal(got, []string{ids[name]}) {
				t.Errorf("matched %v, want only %s", got, ids[name])
			}
		})
	}
	t.Run("NoSuchValue", func(t *testing.T) {
		if got := walk(t, carerix.Eq("lastName", "x' OR lastName != 'y")); len(got) != 0 {
			t.Errorf("matched %v, want nothing", got)
		}
		if got := walk(t, carerix.Eq("toStatusNode.value", "zz') OR (1=1")); len(got) != 0 {
			t.Errorf("matched %v, want nothing", got)
		}
	})
	t.Run("Like", func(t *testing.T) {
		got := walk(t, carerix.Like("lastName", "O'B*"))
		if !slices.Equal(got, []string{ids["O'Brien"]}) {
			t.Errorf("matched %v", got)
		}
	})
}

func TestDateQualifier(t *testing.T) {
	var clk clock
	srv := startEmulator(t, clk.install)
	early := seedEmployees(t, srv, 2, "")
	clk.advance(48 * time.Hour)
	late := seedEmployees(t, srv, 3, "")
	c := newClient(t, srv, nil)

	watermark := clk.now().Add(-24 * time.Hour).In(time.FixedZone("", -5*3600))
	q, err := carerix.Date("modificationDate", carerix.OpGe, watermark).Build()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for e, err := range c.Employees(t.Context(), carerix.PageRequest{Qualifier: q}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.ID)
	}
	if !slices.Equal(got, late) {
		t.Errorf("modified since %s: %v, want %v (not %v)", q, got, late, early)
	}
}
