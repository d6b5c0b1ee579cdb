package carerixemu_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// inboxTemplate is the CxScript a partner installs to embed its page.
const inboxTemplate = `<div class="partner">
<cx:let name="u" expand="1" value="https://partner.example/cx?tenant=${utilities.userDefaults.Customer}&amp;employee=${activity.toEmployee.employeeID}&amp;user=${activity.owner.userID}&amp;uh=${activity.owner.stableHash}&amp;eh=${activity.toEmployee.stableHash}&amp;lang=${activity.owner.language}"/>
<cx:element tag="iframe"><cx:parameter name="src" value="$u"/></cx:element>
<span class="greeting">Hallo <cx:write value="$activity.owner.lessFormalName"/>, status <cx:write value="$activity.toEmployee.toStatusNode.value"/></span>
</div>`

func getPage(t *testing.T, srv *carerixemu.Server, path string) (int, *goquery.Document) {
	t.Helper()
	resp, err := http.Get(srv.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func TestRecordPageRendersInstalledTemplates(t *testing.T) {
	srv := start(t)
	ctx := t.Context()
	if _, err := srv.Seed(ctx, carerixemu.SeedOptions{Recruiters: 2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	admin, recruiter := srv.Users()[0], srv.Users()[1]
	e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{
		FirstName: carerixemu.Str(`<script>alert("x")</script>`), LastName: carerixemu.Str("O'Brien"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}

	// Install through GraphQL, as a partner would.
	tok := token(t, srv)
	install := func(name, target, roles string, active bool) {
		t.Helper()
		vars := map[string]any{"r": map[string]any{"_kind": "CRTemplateReference", "name": name, "code": strings.ToLower(name),
			"content": inboxTemplate, "targetEntityName": target, "userRolesString": roles, "isActive": active,
			"isEmbedded": true, "showInMenu": true, "templateTypeKey": "document"}}
		mustData(t, gql(t, srv, tok, `mutation ($r: CRTemplateReferenceRequest!) { crTemplateReferenceCreate(request: $r) { _id } }`, vars), &struct{}{})
	}
	install("Inbox", "CREmployee", "", true)
	install("AdminOnly", "CREmployee", "Administrator", true)
	install("Inactive", "CREmployee", "", false)
	install("VacancyTab", "CRVacancy", "", true)

	status, doc := getPage(t, srv, "/record/candidate/"+e.ID+"?user="+admin.ID)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if got := doc.Find("h1.cx-record-title").Text(); got != `Kandidaat: <script>alert("x")</script> O'Brien` {
		t.Errorf("title text = %q", got)
	}
	if doc.Find("script").Length() != 0 {
		t.Error("the candidate's name was injected as a script element")
	}
	if doc.Find("section.cx-activities").Length() != 0 {
		t.Error("a candidate without activities shows an activity list")
	}
	var names []string
	doc.Find("section.cx-template h2").Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if strings.Join(names, ",") != "Inbox,AdminOnly" {
		t.Errorf("admin sees templates %v, want Inbox,AdminOnly", names)
	}
	if doc.Find("nav.cx-menu a.cx-template-link").Length() != 2 {
		t.Error("menu lacks the template links")
	}
	src, ok := doc.Find("section#tpl-1 iframe").Attr("src")
	if !ok {
		t.Fatalf("no iframe in %s", doc.Find("section#tpl-1").Text())
	}
	u, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := srv.Employee(e.ID)
	q := u.Query()
	want := map[string]string{"tenant": "acme", "employee": e.ID, "user": admin.ID, "uh": admin.StableHash,
		"eh": stored.StableHash, "lang": admin.Language}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("iframe %s = %q, want %q (src %s)", k, q.Get(k), v, src)
		}
	}
	if got := doc.Find("section#tpl-1 .greeting").Text(); got != "Hallo "+*admin.FirstName+", status Actief" {
		t.Errorf("greeting = %q", got)
	}

	_, doc = getPage(t, srv, "/record/CREmployee/"+e.ID+"?user="+recruiter.ID)
	names = nil
	doc.Find("section.cx-template h2").Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if strings.Join(names, ",") != "Inbox" {
		t.Errorf("recruiter sees templates %v, want Inbox only", names)
	}

	for path, want := range map[string]int{
		"/record/candidate/" + e.ID:                     http.StatusBadRequest,
		"/record/candidate/" + e.ID + "?user=999":       http.StatusNotFound,
		"/record/candidate/999?user=" + admin.ID:        http.StatusNotFound,
		"/record/company/" + e.ID + "?user=" + admin.ID: http.StatusNotFound,
	} {
		if st, _ := getPage(t, srv, path); st != want {
			t.Errorf("%s: status %d, want %d", path, st, want)
		}
	}
}

func TestHomePageRendersDashboardTemplates(t *testing.T) {
	srv := start(t)
	ctx := t.Context()
	u, err := srv.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("anna"), FirstName: carerixemu.Str("Anna"),
		Roles: []string{carerixemu.RoleRecruiter}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CreateTemplate(ctx, carerixemu.TemplateFields{Name: carerixemu.Str("Dashboard"),
		TargetEntityName: carerixemu.Str(carerixemu.HomeTargetEntity),
		Content:          carerixemu.Str(`<p class="who"><cx:write value="$activity.owner.userID"/>@<cx:write value="$utilities.userDefaults.Customer"/></p>`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CreateTemplate(ctx, carerixemu.TemplateFields{Name: carerixemu.Str("Broken"),
		TargetEntityName: carerixemu.Str("Home"), Content: carerixemu.Str(`<cx:nonsense/>`)}); err != nil {
		t.Fatal(err)
	}
	status, doc := getPage(t, srv, "/home?user="+u.ID)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if got := doc.Find("p.who").Text(); got != u.ID+"@acme" {
		t.Errorf("dashboard template rendered %q", got)
	}
	if doc.Find(".cx-template-error").Length() != 1 {
		t.Error("a broken template should show its error in place")
	}
}

func TestRecordPageListsCandidateActivities(t *testing.T) {
	srv := start(t)
	ctx := t.Context()
	if _, err := srv.Seed(ctx, carerixemu.SeedOptions{Recruiters: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	viewer := srv.Users()[0]
	e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Eva")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Bob")})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []carerixemu.ToDoFields{
		{Subject: carerixemu.Str("Eerste"), Notes: carerixemu.Str("<b>regel 1</b>\nregel 2"), Employee: carerixemu.Str(e.ID)},
		{Subject: carerixemu.Str("Van Bob"), Employee: carerixemu.Str(other.ID)},
		{Subject: carerixemu.Str("Tweede"), Employee: carerixemu.Str(e.ID)},
		{Subject: carerixemu.Str("Verwijderd"), Employee: carerixemu.Str(e.ID)},
	} {
		td, err := srv.CreateToDo(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if *f.Subject == "Verwijderd" {
			if err := srv.DeleteToDo(ctx, td.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	status, doc := getPage(t, srv, "/record/candidate/"+e.ID+"?user="+viewer.ID)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var subjects []string
	doc.Find("section.cx-activities .cx-activity strong").Each(func(_ int, s *goquery.Selection) { subjects = append(subjects, s.Text()) })
	if strings.Join(subjects, ",") != "Tweede,Eerste" {
		t.Errorf("activities = %v, want Tweede,Eerste", subjects)
	}
	if got := doc.Find("section.cx-activities pre").Last().Text(); got != "<b>regel 1</b>\nregel 2" {
		t.Errorf("notes = %q", got)
	}
}
