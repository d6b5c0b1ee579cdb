package carerixemu_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// TestCompositeMatchIDs follows one match's _id through the admin API,
// GraphQL (reads, qualifiers, relations, mutations) and webhooks.
func TestCompositeMatchIDs(t *testing.T) {
	for _, p := range []carerixemu.Profile{docs, observed} {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			ctx := t.Context()
			rc, _ := receiveEvents(t, srv, "crmatch:created", "crmatch:updated", "crmatch:deleted")
			for range 14 { // the candidate's employeeID differs from the matchID
				if _, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{}); err != nil {
					t.Fatal(err)
				}
			}
			v, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Lasser")})
			if err != nil {
				t.Fatal(err)
			}
			var m carerixemu.Match
			if st := adminCall(t, srv, "POST", "/matches", map[string]any{"employee": "14", "vacancy": v.ID}, &m); st != http.StatusCreated {
				t.Fatalf("create match: %d", st)
			}
			wantID := strconv.Itoa(m.MatchID)
			if p == observed {
				wantID = "14." + strconv.Itoa(m.MatchID)
			}
			if m.ID != wantID || m.MatchID != 1 {
				t.Fatalf("match _id %q (matchID %d), want %q", m.ID, m.MatchID, wantID)
			}

			// Admin API: the _id, and in the observed profile the bare matchID too.
			var got carerixemu.Match
			if st := adminCall(t, srv, "GET", "/matches/"+m.ID, nil, &got); st != http.StatusOK || got.ID != m.ID {
				t.Errorf("admin GET by _id: %d %+v", st, got)
			}
			if st := adminCall(t, srv, "GET", "/matches/1", nil, &got); st != http.StatusOK || got.ID != m.ID {
				t.Errorf("admin GET by matchID: %d %+v", st, got)
			}
			if st := adminCall(t, srv, "POST", "/matches/"+m.ID+"/stage", map[string]any{"stage": "proposed"}, nil); st != http.StatusOK {
				t.Errorf("admin stage change: %d", st)
			}
			if st := adminCall(t, srv, "GET", "/matches/13.1", nil, nil); st != http.StatusNotFound {
				t.Errorf("admin GET with the wrong candidate: %d", st)
			}

			tok := token(t, srv)
			var one struct {
				CrMatch struct {
					ID         string `json:"_id"`
					MatchID    int
					ToEmployee struct{ EmployeeID int }
				}
			}
			mustData(t, gql(t, srv, tok, `query ($id: ID!) { crMatch(_id: $id) { _id matchID toEmployee { employeeID } } }`, map[string]any{"id": m.ID}), &one)
			if one.CrMatch.ID != m.ID || one.CrMatch.MatchID != 1 || one.CrMatch.ToEmployee.EmployeeID != 14 {
				t.Errorf("crMatch = %+v", one.CrMatch)
			}
			if p == observed {
				// GraphQL finds a match by its _id only.
				if r := gql(t, srv, tok, `{ crMatch(_id: "1") { _id } }`, nil); r.code() != carerixemu.CodeNotFound {
					t.Errorf("crMatch by bare matchID: %s", r.Body)
				}
			}
			var pg struct {
				CrMatchPage struct {
					Items []struct {
						ID string `json:"_id"`
					}
				}
				CrEmployee struct {
					Matches struct {
						Items []struct {
							ID string `json:"_id"`
						}
					}
				}
			}
			mustData(t, gql(t, srv, tok, `query ($q: String) { crMatchPage(qualifier: $q) { items { _id } }
				crEmployee(_id: "14") { matches { items { _id } } } }`, map[string]any{"q": "_id = '" + m.ID + "'"}), &pg)
			if len(pg.CrMatchPage.Items) != 1 || pg.CrMatchPage.Items[0].ID != m.ID ||
				len(pg.CrEmployee.Matches.Items) != 1 || pg.CrEmployee.Matches.Items[0].ID != m.ID {
				t.Errorf("page and relation ids = %+v", pg)
			}
			var upd struct {
				CrMatchUpdate struct {
					ID string `json:"_id"`
				}
			}
			mustData(t, gql(t, srv, tok, `mutation ($id: ID!) { crMatchUpdate(_id: $id, request: {_kind: "CRMatch",
				statusInfo: {_kind: "CRStatusInfo", _lookup: {key: "displayName", value: "Afgewezen"}}}) { _id } }`, map[string]any{"id": m.ID}), &upd)
			if upd.CrMatchUpdate.ID != m.ID {
				t.Errorf("crMatchUpdate = %+v", upd)
			}
			if p == observed {
				if r := gql(t, srv, tok, `mutation { crMatchDelete(_id: "1") { _id } }`, nil); r.code() != carerixemu.CodeNotFound {
					t.Errorf("crMatchDelete by bare matchID: %s", r.Body)
				}
			}
			var del struct {
				CrMatchDelete struct {
					ID string `json:"_id"`
				}
			}
			mustData(t, gql(t, srv, tok, `mutation ($id: ID!) { crMatchDelete(_id: $id) { _id } }`, map[string]any{"id": m.ID}), &del)
			if del.CrMatchDelete.ID != m.ID {
				t.Errorf("crMatchDelete = %+v", del)
			}

			settle(t, srv)
			ds := rc.deliveries()
			if len(ds) != 4 { // created, two updates, deleted
				t.Fatalf("%d match events, want 4: %v", len(ds), rc.types())
			}
			for _, d := range ds {
				if d.Payload.Data.EntityID != m.ID {
					t.Errorf("%s entityId = %q, want %q", d.Payload.Type, d.Payload.Data.EntityID, m.ID)
				}
			}
		})
	}
}

// TestEventTypesFollowTheProfile checks each entity's event type spelling
// and that filters match it whatever their case.
func TestEventTypesFollowTheProfile(t *testing.T) {
	tests := []struct {
		p       carerixemu.Profile
		all     []string
		todoKey string
		text    string
	}{
		{docs, []string{"cremployee:created", "crmatch:created", "crtodo:updated", "cruser:updated", "crvacancy:created"}, "crtodo:updated", "notes"},
		{observed, []string{"CREmployee:created", "CRMatch:created", "CRTodo:updated", "CRUser:updated", "CRVacancy:created"}, "CRTodo:updated", "message"},
	}
	for _, tc := range tests {
		t.Run(string(tc.p), func(t *testing.T) {
			srv := startProfile(t, tc.p)
			ctx := t.Context()
			tok := token(t, srv, webhooks.ScopeManage)
			app := createWebhookApp(t, srv, tok)
			all, camel, lower := newHookReceiver(t), newHookReceiver(t), newHookReceiver(t)
			subscribe(t, srv, tok, app.ID, all.URL, "crtodo:updated", "cremployee:created", "CRMatch:created", "cruser:updated", "CRVACANCY:CREATED")
			subscribe(t, srv, tok, app.ID, camel.URL, "CRToDo:updated")
			subscribe(t, srv, tok, app.ID, lower.URL, "crtodo:UPDATED")

			u, err := srv.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("rec")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.UpdateUser(ctx, u.ID, carerixemu.UserFields{FirstName: carerixemu.Str("Rita")}); err != nil {
				t.Fatal(err)
			}
			e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{LastName: carerixemu.Str("Smit")})
			if err != nil {
				t.Fatal(err)
			}
			v, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Kok")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.CreateMatch(ctx, carerixemu.MatchFields{Employee: &e.ID, Vacancy: &v.ID}); err != nil {
				t.Fatal(err)
			}
			td, err := srv.CreateToDo(ctx, carerixemu.ToDoFields{Subject: carerixemu.Str("Bellen"), Employee: &e.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.UpdateToDo(ctx, td.ID, carerixemu.ToDoFields{Notes: carerixemu.Str("Gebeld")}); err != nil {
				t.Fatal(err)
			}
			settle(t, srv)

			if got := all.types(); !slices.Equal(got, tc.all) {
				t.Errorf("event types = %v, want %v", got, tc.all)
			}
			for _, rc := range []*hookReceiver{camel, lower} {
				if got := rc.types(); !slices.Equal(got, []string{tc.todoKey}) {
					t.Errorf("activity filter got %v, want %s", got, tc.todoKey)
				}
			}
			if d := all.byType(tc.todoKey); len(d) != 1 || !slices.Contains(d[0].Payload.Data.ChangedFields, tc.text) ||
				d[0].Payload.Data.EntityID != td.ID {
				t.Errorf("activity event = %+v, want changed field %s", d, tc.text)
			}
			if got := srv.EventType(carerixemu.KindToDo, "updated"); got != tc.todoKey {
				t.Errorf("EventType = %q", got)
			}
		})
	}
}

// TestEventsOfEntitiesTheProductDoesNotSync creates and updates a company,
// a placement and a publication through the admin API, and reads them back
// through GraphQL.
func TestEventsOfEntitiesTheProductDoesNotSync(t *testing.T) {
	for _, p := range []carerixemu.Profile{docs, observed} {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			ctx := t.Context()
			rc, _ := receiveEvents(t, srv, "crcompany:created", "crcompany:updated", "crjob:created", "crjob:updated",
				"crpublication:created", "crpublication:updated")
			other, _ := receiveEvents(t, srv, "cremployee:updated")
			e, err := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{LastName: carerixemu.Str("Smit")})
			if err != nil {
				t.Fatal(err)
			}
			v, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Kok")})
			if err != nil {
				t.Fatal(err)
			}

			var c carerixemu.Company
			if st := adminCall(t, srv, "POST", "/companies", map[string]any{"name": "Bouw BV", "visitCity": "Delft"}, &c); st != http.StatusCreated {
				t.Fatalf("create company: %d", st)
			}
			if st := adminCall(t, srv, "PATCH", "/companies/"+c.ID, map[string]any{"visitCity": "Gouda"}, &c); st != http.StatusOK || deref(c.VisitCity) != "Gouda" {
				t.Fatalf("update company: %d %+v", st, c)
			}
			var j carerixemu.Job
			if st := adminCall(t, srv, "POST", "/jobs", map[string]any{"employee": e.ID, "vacancy": v.ID, "startDate": "2025-04-01"}, &j); st != http.StatusCreated {
				t.Fatalf("create placement: %d", st)
			}
			if st := adminCall(t, srv, "PATCH", "/jobs/"+j.ID, map[string]any{"endDate": "2025-06-30 17:00:00 Europe/Amsterdam"}, &j); st != http.StatusOK {
				t.Fatalf("update placement: %d", st)
			}
			var pub carerixemu.Publication
			if st := adminCall(t, srv, "POST", "/publications", map[string]any{"vacancy": v.ID, "applyUrl": "https://werk.example/kok"}, &pub); st != http.StatusCreated {
				t.Fatalf("create publication: %d", st)
			}
			if st := adminCall(t, srv, "PATCH", "/publications/"+pub.ID, map[string]any{"publicationEnd": "2025-05-01"}, &pub); st != http.StatusOK {
				t.Fatalf("update publication: %d", st)
			}
			for _, bad := range []struct{ path, body string }{
				{"/jobs", `{"employee": "` + e.ID + `"}`},
				{"/jobs", `{"employee": "` + e.ID + `", "vacancy": "999"}`},
				{"/publications", `{"applyUrl": "x"}`},
				{"/companies", `{"visitCity": "Delft"}`},
				{"/jobs", `{"employee": "` + e.ID + `", "vacancy": "` + v.ID + `", "startDate": "soon"}`},
			} {
				var body map[string]any
				if err := json.Unmarshal([]byte(bad.body), &body); err != nil {
					t.Fatal(err)
				}
				if st := adminCall(t, srv, "POST", bad.path, body, nil); st != http.StatusBadRequest {
					t.Errorf("POST %s %s: %d, want 400", bad.path, bad.body, st)
				}
			}
			settle(t, srv)

			want := []string{"crcompany:created", "crcompany:updated", "crjob:created", "crjob:updated", "crpublication:created", "crpublication:updated"}
			if p == observed {
				want = []string{"CRCompany:created", "CRCompany:updated", "CRJob:created", "CRJob:updated", "CRPublication:created", "CRPublication:updated"}
			}
			if got := rc.types(); !slices.Equal(got, want) {
				t.Errorf("events = %v, want %v", got, want)
			}
			if got := other.types(); len(got) != 0 {
				t.Errorf("an unsubscribed webhook got %v", got)
			}
			if d := rc.byType(want[3]); len(d) != 1 || d[0].Payload.Data.EntityID != j.ID || !slices.Contains(d[0].Payload.Data.ChangedFields, "enddate") {
				t.Errorf("placement update event = %+v", d)
			}

			var out struct {
				CrCompanyPage struct {
					TotalElements int
					Items         []struct{ Name, VisitCity string }
				}
				CrCompany struct{ Name string }
				CrJobPage struct {
					Items []struct {
						JobID      int
						ToEmployee struct {
							ID string `json:"_id"`
						}
						StartDate string
						EndDate   string
					}
				}
				CrPublicationPage struct {
					Items []struct {
						ApplyURL       string `json:"applyUrl"`
						PublicationEnd string
						ToVacancy      struct{ JobTitle string }
					}
				}
			}
			mustData(t, gql(t, srv, token(t, srv), `query ($c: ID!) {
				crCompanyPage(qualifier: "visitCity = 'Gouda'") { totalElements items { name visitCity } }
				crCompany(_id: $c) { name }
				crJobPage(qualifier: "toEmployee = '`+e.ID+`'") { items { jobID toEmployee { _id } startDate endDate } }
				crPublicationPage(qualifier: "publicationEnd < (NSCalendarDate)'2025-05-02 00:00:00 Etc/GMT'") { items { applyUrl publicationEnd toVacancy { jobTitle } } } }`,
				map[string]any{"c": c.ID}), &out)
			if out.CrCompanyPage.TotalElements != 1 || out.CrCompanyPage.Items[0].Name != "Bouw BV" || out.CrCompany.Name != "Bouw BV" {
				t.Errorf("companies = %+v", out)
			}
			if js := out.CrJobPage.Items; len(js) != 1 || js[0].ToEmployee.ID != e.ID ||
				js[0].StartDate != "2025-04-01T00:00:00+02:00" || js[0].EndDate != "2025-06-30T17:00:00+02:00" {
				t.Errorf("placements = %+v", js)
			}
			if ps := out.CrPublicationPage.Items; len(ps) != 1 || ps[0].ApplyURL != "https://werk.example/kok" ||
				ps[0].PublicationEnd != "2025-05-01T00:00:00+02:00" || ps[0].ToVacancy.JobTitle != "Kok" {
				t.Errorf("publications = %+v", ps)
			}
		})
	}
}

// TestEventHookReachesEveryWebhook publishes an event no filter names
// through POST /_emulator/events.
func TestEventHookReachesEveryWebhook(t *testing.T) {
	srv := startProfile(t, observed)
	rc, _ := receiveEvents(t, srv, "cremployee:updated")
	var echo map[string]any
	if st := adminCall(t, srv, "POST", "/events", map[string]any{"type": "CRContact:created", "entityId": "77",
		"changedFields": []string{"name"}}, &echo); st != http.StatusAccepted {
		t.Fatalf("POST /events: %d %v", st, echo)
	}
	if st := adminCall(t, srv, "POST", "/events", map[string]any{"entityId": "77"}, nil); st != http.StatusBadRequest {
		t.Errorf("POST /events without a type: %d", st)
	}
	settle(t, srv)
	ds := rc.deliveries()
	if len(ds) != 1 || ds[0].Payload.Type != "CRContact:created" || ds[0].Payload.Data.EntityID != "77" ||
		!slices.Equal(ds[0].Payload.Data.ChangedFields, []string{"name"}) {
		t.Errorf("deliveries = %+v", ds)
	}
}

// TestGlobalSignatureKeyVerifiesObservedDeliveries reads the global key
// and verifies a delivery with it; in the docs profile applications keep
// their own keys and there is no global one.
func TestGlobalSignatureKeyVerifiesObservedDeliveries(t *testing.T) {
	for _, p := range []carerixemu.Profile{docs, observed} {
		t.Run(string(p), func(t *testing.T) {
			srv := startProfile(t, p)
			rc, app := receiveEvents(t, srv, "cremployee:created")
			tok := token(t, srv, webhooks.ScopeManage)

			status, body := restGet(t, srv, tok, "/webhooks/v1/signature-key")
			var key struct{ Algorithm, PublicKey string }
			if err := json.Unmarshal(body, &key); err != nil {
				t.Fatalf("signature key %s: %v", body, err)
			}
			status2, appBody := restGet(t, srv, tok, "/webhooks/v1/applications/"+app.ID)
			var restApp map[string]json.RawMessage
			if err := json.Unmarshal(appBody, &restApp); err != nil || status2 != http.StatusOK {
				t.Fatalf("application %d %s: %v", status2, appBody, err)
			}
			if status, _ := restGet(t, srv, "", "/webhooks/v1/signature-key"); status != http.StatusUnauthorized {
				t.Errorf("signature key without a token: %d", status)
			}

			if _, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{LastName: carerixemu.Str("Smit")}); err != nil {
				t.Fatal(err)
			}
			settle(t, srv)
			ds := rc.deliveries()
			if len(ds) != 1 {
				t.Fatalf("%d deliveries", len(ds))
			}
			sig := ds[0].Header.Get("Cx-Signature")

			switch p {
			case observed:
				if status != http.StatusOK || key.Algorithm != webhooks.AlgorithmRSASHA256 || !strings.Contains(key.PublicKey, "BEGIN PUBLIC KEY") {
					t.Fatalf("signature key: %d %s", status, body)
				}
				if app.PublicKey != "" || string(restApp["signatureVerification"]) != "null" {
					t.Errorf("application carries a key: GraphQL %q, REST %s", app.PublicKey, restApp["signatureVerification"])
				}
				if err := webhooks.VerifySignature([]byte(key.PublicKey), ds[0].Body, sig); err != nil {
					t.Errorf("delivery does not verify with the global key: %v", err)
				}
				if err := webhooks.VerifySignature([]byte(key.PublicKey), append(ds[0].Body, ' '), sig); err == nil {
					t.Error("a changed body verifies")
				}
			case docs:
				if status != http.StatusNotFound {
					t.Errorf("global signature key in the docs profile: %d %s", status, body)
				}
				if err := webhooks.VerifySignature([]byte(app.PublicKey), ds[0].Body, sig); err != nil {
					t.Errorf("delivery does not verify with the application's key: %v", err)
				}
			}
		})
	}
}

// restGet sends an authenticated GET to the emulator.
func restGet(t *testing.T, srv *carerixemu.Server, tok, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, b
}
