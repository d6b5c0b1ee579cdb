package carerixemu_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

var (
	docs     = carerixemu.ProfileDocs
	observed = carerixemu.ProfileObserved
	hostile  = carerixemu.ProfileHostile
)

// schemaDifferences are the fields ("Type.field", or "Type" for a whole
// type) that differ between profiles, and the profiles that have them.
var schemaDifferences = []struct {
	member string
	in     []carerixemu.Profile
}{
	{"CREmployee.stableHash", []carerixemu.Profile{docs}},
	{"CRVacancy.stableHash", []carerixemu.Profile{docs}},
	{"CRUser.stableHash", []carerixemu.Profile{docs}},
	{"CRMatch.stableHash", []carerixemu.Profile{docs}},
	{"CRDataNode.stableHash", []carerixemu.Profile{docs}},
	{"CRStatusInfo.statusName", []carerixemu.Profile{docs}},
	{"CRStatusInfo.displayName", []carerixemu.Profile{docs, observed, hostile}},
	{"CRStatusInfo.name", []carerixemu.Profile{observed, hostile}},
	{"CRStatusInfo.label", []carerixemu.Profile{observed, hostile}},
	{"Query.crStatusInfoList", []carerixemu.Profile{docs}},
	{"CRToDo.todoTypeKey", []carerixemu.Profile{docs}},
	{"CRToDo.notes", []carerixemu.Profile{docs}},
	{"CRToDo.toDoTypeKey", []carerixemu.Profile{observed, hostile}},
	{"CRToDo.message", []carerixemu.Profile{observed, hostile}},
	{"CRToDo.subject", []carerixemu.Profile{docs, observed, hostile}},
	{"CRToDoRequest.todoTypeKey", []carerixemu.Profile{docs}},
	{"CRToDoRequest.notes", []carerixemu.Profile{docs}},
	{"CRToDoRequest.toDoTypeKey", []carerixemu.Profile{observed, hostile}},
	{"CRToDoRequest.message", []carerixemu.Profile{observed, hostile}},
	{"Pageable.sort", []carerixemu.Profile{observed, hostile}},
	{"SortOrder", []carerixemu.Profile{observed, hostile}},
	{"SortDirection.DESC", []carerixemu.Profile{observed, hostile}},
	{"CREmployee.toStatusNode", []carerixemu.Profile{docs, observed}},
	{"CREmployeeRequest.toStatusNode", []carerixemu.Profile{docs, observed}},
	{"CRVacancy.toStatusNode", []carerixemu.Profile{docs, observed, hostile}},
	{"Query.crCompanyPage", []carerixemu.Profile{docs, observed, hostile}},
	{"Query.crJobPage", []carerixemu.Profile{docs, observed, hostile}},
	{"Query.crPublicationPage", []carerixemu.Profile{docs, observed, hostile}},
}

// TestIntrospectionShowsEachProfilesSchema asks __type for every field
// that differs between profiles, on each profile.
func TestIntrospectionShowsEachProfilesSchema(t *testing.T) {
	for _, p := range carerixemu.Profiles() {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			tok := token(t, srv)
			for _, d := range schemaDifferences {
				typ, member, isMember := strings.Cut(d.member, ".")
				ti := lookupType(t, srv, tok, typ)
				has := ti != nil && (!isMember || slices.Contains(ti.members(), member))
				if want := slices.Contains(d.in, p); has != want {
					t.Errorf("%s: present = %v, want %v", d.member, has, want)
				}
			}
			if srv.Profile() != p {
				t.Errorf("Profile() = %s", srv.Profile())
			}
			sdl, err := carerixemu.SchemaFor(p)
			if err != nil || sdl != srv.SDL() {
				t.Errorf("SchemaFor(%s) differs from the served SDL (%v)", p, err)
			}
		})
	}
}

// TestRemovedFieldFailsValidation selects a field the profile lacks: HTTP
// 200, no data, and graphql-go's "Cannot query field" error, as a real
// server answers; the profile that has the field answers the same query.
func TestRemovedFieldFailsValidation(t *testing.T) {
	tests := []struct {
		query, wantErr string
		failsOn        []carerixemu.Profile
	}{
		{`{ crEmployeePage { items { _id stableHash } } }`, `Cannot query field "stableHash" on type "CREmployee"`, []carerixemu.Profile{observed, hostile}},
		{`{ crMatchPage { items { statusInfo { statusName } } } }`, `Cannot query field "statusName" on type "CRStatusInfo"`, []carerixemu.Profile{observed, hostile}},
		{`{ crMatchPage { items { statusInfo { displayName name label } } } }`, `Cannot query field "name" on type "CRStatusInfo"`, []carerixemu.Profile{docs}},
		{`{ crStatusInfoList { _id } }`, `Cannot query field "crStatusInfoList" on type "Query"`, []carerixemu.Profile{observed, hostile}},
		{`{ crToDo(_id: "1") { todoTypeKey } }`, `Cannot query field "todoTypeKey" on type "CRToDo"`, []carerixemu.Profile{observed, hostile}},
		{`{ crToDo(_id: "1") { message } }`, `Cannot query field "message" on type "CRToDo"`, []carerixemu.Profile{docs}},
		{`{ crEmployeePage { items { toStatusNode { value } } } }`, `Cannot query field "toStatusNode" on type "CREmployee"`, []carerixemu.Profile{hostile}},
		{`{ crEmployeePage(pageable: {sort: [{property: "employeeID"}]}) { sort } }`, `Field "sort" is not defined by type "Pageable"`, []carerixemu.Profile{docs}},
	}
	for _, p := range carerixemu.Profiles() {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			tok := token(t, srv)
			for _, tc := range tests {
				r := gql(t, srv, tok, tc.query, nil)
				if r.Status != http.StatusOK {
					t.Errorf("%s: HTTP %d, want 200", tc.query, r.Status)
				}
				if !slices.Contains(tc.failsOn, p) {
					if len(r.Errors) > 0 && r.code() != carerixemu.CodeNotFound {
						t.Errorf("%s: %s", tc.query, r.Body)
					}
					continue
				}
				if len(r.Errors) == 0 || !strings.Contains(firstError(r), tc.wantErr) || r.code() != carerixemu.CodeBadRequest {
					t.Errorf("%s: want a validation error containing %s, got %s", tc.query, tc.wantErr, r.Body)
				}
				if string(r.Data) != "" && string(r.Data) != "null" {
					t.Errorf("%s: data %s with a validation error", tc.query, r.Data)
				}
			}
		})
	}
}

// TestQualifierKeysFollowTheProfile refuses qualifier keys the profile's
// schema does not have, and accepts those it has.
func TestQualifierKeysFollowTheProfile(t *testing.T) {
	tests := []struct {
		query, qualifier string
		invalidOn        []carerixemu.Profile
	}{
		{"crEmployeePage", "stableHash != nil", []carerixemu.Profile{observed, hostile}},
		{"crEmployeePage", "toStatusNode.value = 'Actief'", []carerixemu.Profile{hostile}},
		{"crVacancyPage", "toStatusNode.value = 'Open'", nil},
		{"crMatchPage", "statusInfo.statusName = 'placed'", []carerixemu.Profile{observed, hostile}},
		{"crMatchPage", "statusInfo.name = 'placed' OR statusInfo.label = 'Geplaatst'", []carerixemu.Profile{docs}},
		{"crMatchPage", "toEmployee.stableHash = 'x'", []carerixemu.Profile{observed, hostile}},
	}
	for _, p := range carerixemu.Profiles() {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			tok := token(t, srv)
			for _, tc := range tests {
				r := gql(t, srv, tok, `query ($q: String) { `+tc.query+`(qualifier: $q) { totalElements } }`, map[string]any{"q": tc.qualifier})
				invalid := r.code() == carerixemu.CodeInvalidQualifier
				if want := slices.Contains(tc.invalidOn, p); invalid != want || (!want && len(r.Errors) > 0) {
					t.Errorf("%s(%q): %s", tc.query, tc.qualifier, r.Body)
				}
				if err := srv.ValidateQualifier(kindOfPage(tc.query), tc.qualifier); (err != nil) != slices.Contains(tc.invalidOn, p) {
					t.Errorf("ValidateQualifier(%q) = %v", tc.qualifier, err)
				}
			}
		})
	}
	// The package function checks against the docs schema.
	if err := carerixemu.ValidateQualifier(carerixemu.KindMatch, "statusInfo.statusName = 'x'"); err != nil {
		t.Errorf("ValidateQualifier (docs): %v", err)
	}
	if err := carerixemu.ValidateQualifier(carerixemu.KindMatch, "statusInfo.label = 'x'"); err == nil {
		t.Error("ValidateQualifier (docs) accepts statusInfo.label")
	}
}

// kindOfPage maps a page query to its entity kind.
func kindOfPage(query string) string {
	switch query {
	case "crEmployeePage":
		return carerixemu.KindEmployee
	case "crVacancyPage":
		return carerixemu.KindVacancy
	}
	return carerixemu.KindMatch
}

// TestRemoveFieldsTakesFieldsOut removes one field on top of a profile.
func TestRemoveFieldsTakesFieldsOut(t *testing.T) {
	srv := startProfile(t, observed, func(o *carerixemu.Options) {
		o.RemoveFields = []string{"CRUser.lessFormalName", "CRStatusInfo.displayName"}
	})
	tok := token(t, srv)
	if ti := lookupType(t, srv, tok, "CRUser"); slices.Contains(ti.members(), "lessFormalName") || !slices.Contains(ti.members(), "userName") {
		t.Errorf("CRUser fields: %v", ti.members())
	}
	if r := gql(t, srv, tok, `{ crUserPage { items { lessFormalName } } }`, nil); !strings.Contains(firstError(r), `Cannot query field "lessFormalName" on type "CRUser"`) {
		t.Errorf("query of a removed field: %s", r.Body)
	}
	if r := gql(t, srv, tok, `{ crUserPage(qualifier: "lessFormalName = 'Jan'") { totalElements } }`, nil); r.code() != carerixemu.CodeInvalidQualifier {
		t.Errorf("qualifier on a removed field: %s", r.Body)
	}
	if r := gql(t, srv, tok, `{ crUserPage(pageable: {sort: {property: "lessFormalName"}}) { totalElements } }`, nil); r.code() != carerixemu.CodeBadRequest {
		t.Errorf("sort on a removed field: %s", r.Body)
	}
	if r := gql(t, srv, tok, `{ crMatchPage { items { statusInfo { name label } } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("the profile's other fields: %s", r.Body)
	}
	for _, bad := range [][]string{{"CRUser"}, {"CRUser.nope"}, {"Nope.field"}, {"CRUser.userName.x"}} {
		if _, err := carerixemu.New(carerixemu.Options{Tenant: "acme", Profile: observed, RemoveFields: bad}); err == nil {
			t.Errorf("RemoveFields %v accepted", bad)
		}
	}
	// A field the profile already lacks is no field to remove.
	if _, err := carerixemu.New(carerixemu.Options{Tenant: "acme", Profile: observed, RemoveFields: []string{"CREmployee.stableHash"}}); err == nil {
		t.Error("RemoveFields of a field the profile lacks accepted")
	}
	if _, err := carerixemu.New(carerixemu.Options{Tenant: "acme", Profile: "cloud"}); err == nil {
		t.Error("unknown profile accepted")
	}
}

// TestActivityTextUnderTheProfilesNames writes an activity through
// GraphQL with the profile's names, reads it back and finds its text on
// the candidate's record page.
func TestActivityTextUnderTheProfilesNames(t *testing.T) {
	for _, tc := range []struct {
		p            carerixemu.Profile
		text, typeKy string
	}{
		{docs, "notes", "todoTypeKey"},
		{observed, "message", "toDoTypeKey"},
	} {
		t.Run(string(tc.p), func(t *testing.T) {
			srv := startProfile(t, tc.p)
			ctx := t.Context()
			if _, err := srv.Seed(ctx, carerixemu.SeedOptions{Recruiters: 1, Seed: 1}); err != nil {
				t.Fatal(err)
			}
			e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Eva")})
			if err != nil {
				t.Fatal(err)
			}
			tok := token(t, srv)
			var created struct {
				CrToDoCreate map[string]any
			}
			mustData(t, gql(t, srv, tok, `mutation ($e: ID) { crToDoCreate(request: {_kind: "CRToDo", subject: "Gesprek",
				`+tc.text+`: "Samenvatting\nregel 2", `+tc.typeKy+`: "whatsapp", toEmployee: {_kind: "CREmployee", _id: $e}}) {
				_id subject `+tc.text+` `+tc.typeKy+` } }`, map[string]any{"e": e.ID}), &created)
			got := created.CrToDoCreate
			if got[tc.text] != "Samenvatting\nregel 2" || got[tc.typeKy] != "whatsapp" {
				t.Errorf("created activity = %v", got)
			}
			td, err := srv.ToDo(got["_id"].(string))
			if err != nil || deref(td.Notes) != "Samenvatting\nregel 2" || deref(td.TodoTypeKey) != "whatsapp" {
				t.Errorf("stored activity = %+v, %v", td, err)
			}
			status, doc := getPage(t, srv, "/record/candidate/"+e.ID+"?user="+srv.Users()[0].ID)
			if status != http.StatusOK {
				t.Fatalf("record page: %d", status)
			}
			var texts []string
			doc.Find("section.cx-activities pre").Each(func(_ int, s *goquery.Selection) { texts = append(texts, s.Text()) })
			if !slices.Contains(texts, "Samenvatting\nregel 2") {
				t.Errorf("record page activity texts = %q", texts)
			}
		})
	}
}

// TestAdminInfoShowsProfile reads the profile from /_emulator/.
func TestAdminInfoShowsProfile(t *testing.T) {
	for _, p := range carerixemu.Profiles() {
		srv := startProfile(t, p)
		var info struct{ Profile string }
		if st := adminCall(t, srv, "GET", "/", nil, &info); st != http.StatusOK || info.Profile != string(p) {
			t.Errorf("%s: admin info %d %+v", p, st, info)
		}
	}
	srv := start(t)
	var info struct{ Profile string }
	adminCall(t, srv, "GET", "/", nil, &info)
	if info.Profile != "docs" {
		t.Errorf("default profile = %q, want docs", info.Profile)
	}
}
