package carerixemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

type employeeJSON struct {
	ID               string  `json:"_id"`
	Kind             string  `json:"_kind"`
	EmployeeID       int     `json:"employeeID"`
	FirstName        *string `json:"firstName"`
	LastName         *string `json:"lastName"`
	PhoneNumber      *string `json:"phoneNumber"`
	Deleted          bool    `json:"deleted"`
	CreationDate     string  `json:"creationDate"`
	ModificationDate string  `json:"modificationDate"`
	StableHash       string  `json:"stableHash"`
	ToStatusNode     *struct {
		Value       string `json:"value"`
		ExportCode  string `json:"exportCode"`
		ParentNodes []struct {
			Value string `json:"value"`
		} `json:"parentNodes"`
	} `json:"toStatusNode"`
	Owner *struct {
		UserName string `json:"userName"`
	} `json:"owner"`
}

const employeeFields = `_id _kind employeeID firstName lastName phoneNumber deleted creationDate modificationDate stableHash
  toStatusNode { value exportCode parentNodes { value } } owner { userName }`

func TestCandidateLifecycleOverGraphQL(t *testing.T) {
	clk := newClock()
	srv := start(t, func(o *carerixemu.Options) { o.Now = clk.Now })
	tok := token(t, srv)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Recruiters: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}

	var created struct{ CrEmployeeCreate employeeJSON }
	mustData(t, gql(t, srv, tok, `mutation ($r: CREmployeeRequest!) { crEmployeeCreate(request: $r) { `+employeeFields+` } }`,
		map[string]any{"r": map[string]any{
			"_kind": "CREmployee", "firstName": "Sanne", "lastName": "Visser", "phoneNumber": "06-12345678",
			"toStatusNode": map[string]any{"_kind": "CRDataNode", "_lookup": map[string]any{"key": "exportCode", "value": "CAND_NEW"}},
			"owner":        map[string]any{"_kind": "CRUser", "_id": "1"},
		}}), &created)
	e := created.CrEmployeeCreate
	if e.Kind != "CREmployee" || e.ToStatusNode == nil || e.ToStatusNode.Value != "Nieuw" || e.Owner == nil || e.Owner.UserName != "admin" {
		t.Fatalf("created = %+v", e)
	}
	if e.ToStatusNode.ParentNodes[0].Value != carerixemu.TagCandidateActive {
		t.Errorf("status parents = %+v", e.ToStatusNode.ParentNodes)
	}
	if e.CreationDate != "2025-03-14T10:30:00+01:00" {
		t.Errorf("creationDate = %q, want ISO-8601 in Amsterdam time", e.CreationDate)
	}

	clk.Advance(time.Minute)
	var updated struct{ CrEmployeeUpdate employeeJSON }
	mustData(t, gql(t, srv, tok, `mutation ($id: ID!, $r: CREmployeeRequest!) { crEmployeeUpdate(_id: $id, request: $r) { `+employeeFields+` } }`,
		map[string]any{"id": e.ID, "r": map[string]any{"_kind": "CREmployee", "lastName": "Visser-Bos", "phoneNumber": nil}}), &updated)
	u := updated.CrEmployeeUpdate
	if u.StableHash == e.StableHash || u.ModificationDate == e.ModificationDate || u.CreationDate != e.CreationDate {
		t.Errorf("update did not move stableHash/modificationDate: before %+v after %+v", e, u)
	}
	if u.PhoneNumber != nil || *u.LastName != "Visser-Bos" || *u.FirstName != "Sanne" {
		t.Errorf("update applied wrongly: %+v", u)
	}

	// A no-op update changes nothing.
	var same struct{ CrEmployeeUpdate employeeJSON }
	mustData(t, gql(t, srv, tok, `mutation ($id: ID!) { crEmployeeUpdate(_id: $id, request: {_kind: "CREmployee", lastName: "Visser-Bos"}) { stableHash } }`,
		map[string]any{"id": e.ID}), &same)
	if same.CrEmployeeUpdate.StableHash != u.StableHash {
		t.Error("no-op update changed stableHash")
	}

	var del struct {
		CrEmployeeDelete struct {
			ID      string `json:"_id"`
			Success bool   `json:"success"`
		}
	}
	mustData(t, gql(t, srv, tok, `mutation ($id: ID!) { crEmployeeDelete(_id: $id) { _id success } }`, map[string]any{"id": e.ID}), &del)
	if !del.CrEmployeeDelete.Success || del.CrEmployeeDelete.ID != e.ID {
		t.Errorf("delete = %+v", del)
	}
	r := gql(t, srv, tok, `query ($id: ID!) { crEmployee(_id: $id) { _id } }`, map[string]any{"id": e.ID})
	if r.code() != carerixemu.CodeNotFound || string(r.Data) != `{"crEmployee":null}` {
		t.Errorf("deleted candidate by id: %s", r.Body)
	}
	stored, err := srv.Employee(e.ID)
	if err != nil || !stored.Deleted {
		t.Errorf("store after delete: %+v %v", stored, err)
	}
	if r := gql(t, srv, tok, `mutation { crEmployeeDelete(_id: "`+e.ID+`") { _id } }`, nil); r.code() != carerixemu.CodeNotFound {
		t.Errorf("second delete: %s", r.Body)
	}
}

func TestReadDeletedByIDOption(t *testing.T) {
	srv := start(t, func(o *carerixemu.Options) { o.ReadDeletedByID = true })
	e, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{LastName: carerixemu.Str("Kok")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteEmployee(t.Context(), e.ID); err != nil {
		t.Fatal(err)
	}
	var out struct{ CrEmployee employeeJSON }
	mustData(t, gql(t, srv, token(t, srv), `{ crEmployee(_id: "`+e.ID+`") { _id deleted } }`, nil), &out)
	if !out.CrEmployee.Deleted {
		t.Errorf("got %+v, want the deleted record", out.CrEmployee)
	}
}

func TestBadRequestsAndQualifierErrors(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	tests := []struct{ name, query, code, msg string }{
		{"WrongKind", `mutation { crEmployeeCreate(request: {_kind: "CRVacancy", lastName: "x"}) { _id } }`, carerixemu.CodeBadRequest, `_kind must be "CREmployee"`},
		{"UnknownStatus", `mutation { crEmployeeCreate(request: {_kind: "CREmployee", toStatusNode: {_kind: "CRDataNode", _id: "999"}}) { _id } }`, carerixemu.CodeBadRequest, "Kandidaat-status"},
		{"VacancyStatusOnCandidate", `mutation { crEmployeeCreate(request: {_kind: "CREmployee", toStatusNode: {_kind: "CRDataNode", _lookup: {key: "exportCode", value: "VAC_OPEN"}}}) { _id } }`, carerixemu.CodeBadRequest, "Kandidaat-status"},
		{"UnknownID", `{ crVacancy(_id: "12345") { _id } }`, carerixemu.CodeNotFound, "12345"},
		{"OpaqueID", `{ crMatch(_id: "12.34") { _id } }`, carerixemu.CodeNotFound, "12.34"},
		{"BadQualifier", `{ crEmployeePage(qualifier: "lastName = 'x") { totalElements } }`, carerixemu.CodeInvalidQualifier, "unterminated string"},
		{"UnknownKey", `{ crVacancyPage(qualifier: "firstName = 'x'") { totalElements } }`, carerixemu.CodeInvalidQualifier, `CRVacancy has no key "firstName"`},
		{"MatchWithoutVacancy", `mutation { crMatchCreate(request: {_kind: "CRMatch", toEmployee: {_kind: "CREmployee", _id: "1"}}) { _id } }`, carerixemu.CodeBadRequest, "required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, srv, tok, tc.query, nil)
			if r.code() != tc.code || !strings.Contains(r.Errors[0].Message, tc.msg) {
				t.Errorf("got %s, want %s mentioning %q", r.Body, tc.code, tc.msg)
			}
		})
	}
}

func TestMatchesAndDataNodesOverGraphQL(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	ctx := t.Context()
	e, _ := srv.CreateEmployee(ctx, carerixemu.EmployeeFields{LastName: carerixemu.Str("Bos")})
	v, err := srv.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Planner"), CompanyName: carerixemu.Str("DataWerk B.V."), Status: carerixemu.Str("Open")})
	if err != nil {
		t.Fatal(err)
	}
	var mc struct {
		CrMatchCreate struct {
			ID         string `json:"_id"`
			StatusInfo struct{ StatusName string }
			ToEmployee struct{ LastName string }
			ToVacancy  struct {
				JobTitle  string
				ToCompany struct{ Name string }
			}
		}
	}
	mustData(t, gql(t, srv, tok, `mutation ($e: ID, $v: ID) { crMatchCreate(request: {_kind: "CRMatch",
		toEmployee: {_kind: "CREmployee", _id: $e}, toVacancy: {_kind: "CRVacancy", _id: $v},
		statusInfo: {_kind: "CRStatusInfo", _lookup: {key: "statusName", value: "interview"}}}) {
		_id statusInfo { statusName } toEmployee { lastName } toVacancy { jobTitle toCompany { name } } } }`,
		map[string]any{"e": e.ID, "v": v.ID}), &mc)
	m := mc.CrMatchCreate
	if m.StatusInfo.StatusName != "interview" || m.ToEmployee.LastName != "Bos" || m.ToVacancy.ToCompany.Name != "DataWerk B.V." {
		t.Errorf("match = %+v", m)
	}
	var rel struct {
		CrEmployee struct {
			Matches struct {
				TotalElements int
				Items         []struct {
					ID string `json:"_id"`
				}
			}
		}
	}
	mustData(t, gql(t, srv, tok, `query ($id: ID!) { crEmployee(_id: $id) { matches(pageable: {size: 5}) { totalElements items { _id } } } }`,
		map[string]any{"id": e.ID}), &rel)
	if rel.CrEmployee.Matches.TotalElements != 1 || rel.CrEmployee.Matches.Items[0].ID != m.ID {
		t.Errorf("candidate matches = %+v", rel)
	}

	// Carerix's own example passes the _id as an integer literal.
	var byInt struct{ CrEmployee struct{ LastName string } }
	mustData(t, gql(t, srv, tok, `{ crEmployee(_id: `+e.ID+`) { lastName } }`, nil), &byInt)
	if byInt.CrEmployee.LastName != "Bos" {
		t.Errorf("crEmployee by integer _id = %+v", byInt)
	}

	var nodes struct {
		CrDataNodeListBy []struct {
			Value      string
			ExportCode string
			NotActive  bool
			Type       struct{ Name string }
		}
	}
	mustData(t, gql(t, srv, tok, `{ crDataNodeListBy(type: "Vacature-status") { value exportCode notActive type { name } } }`, nil), &nodes)
	var values []string
	for _, n := range nodes.CrDataNodeListBy {
		values = append(values, n.Value)
		if n.Type.Name != carerixemu.NodeTypeVacancyStatus {
			t.Errorf("node type %q", n.Type.Name)
		}
	}
	if strings.Join(values, ",") != "Open,In behandeling,On hold,Vervuld,Gesloten" {
		t.Errorf("vacancy statuses = %v", values)
	}
	var tagged struct{ CrDataNodeListBy []struct{ Value string } }
	mustData(t, gql(t, srv, tok, `{ crDataNodeListBy(tag: "CVTag") { value } }`, nil), &tagged)
	if len(tagged.CrDataNodeListBy) != 1 || tagged.CrDataNodeListBy[0].Value != "CV" {
		t.Errorf("CVTag nodes = %+v", tagged)
	}
}

// TestWebhookArrivesForChangeByHand registers a webhook through GraphQL,
// changes a candidate through the admin API and checks the signed delivery.
func TestWebhookArrivesForChangeByHand(t *testing.T) {
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	t.Cleanup(recv.Close)
	srv := start(t)
	tok := token(t, srv, "urn:cx/webhooks:data:manage")

	var app struct {
		WebhookApplicationCreate struct {
			ID                    string `json:"_id"`
			SignatureVerification struct {
				Algorithm string
				PublicKey string
			}
		}
	}
	mustData(t, gql(t, srv, tok, `mutation { webhookApplicationCreate(request: {_kind: "WebhookApplication", name: "recrubo"}) {
		_id signatureVerification { algorithm ... on AsymmetricSignatureVerification { publicKey } } } }`, nil), &app)
	pem := app.WebhookApplicationCreate.SignatureVerification.PublicKey
	if !strings.Contains(pem, "PUBLIC KEY") {
		t.Fatalf("no public key: %+v", app)
	}
	var hook struct {
		WebhookCreate struct {
			ID      string `json:"_id"`
			Status  string
			Filters []struct{ EventType string }
		}
	}
	mustData(t, gql(t, srv, tok, `mutation ($app: ID!, $url: String!) { webhookCreate(request: {_kind: "Webhook",
		application: {_id: $app}, url: $url, filters: [{eventType: "cremployee:updated"}],
		customHeaders: [{name: "X-Api-Key", value: "k1"}]}) { _id status filters { eventType } } }`,
		map[string]any{"app": app.WebhookApplicationCreate.ID, "url": recv.URL}), &hook)
	if hook.WebhookCreate.Status != "enabled" {
		t.Fatalf("webhook = %+v", hook)
	}

	var cand struct {
		ID string `json:"_id"`
	}
	if st := adminCall(t, srv, "POST", "/candidates", map[string]any{"lastName": "Smit"}, &cand); st != http.StatusCreated {
		t.Fatalf("create candidate: %d", st)
	}
	if st := adminCall(t, srv, "POST", "/candidates/"+cand.ID+"/status", map[string]any{"status": "Actief"}, nil); st != http.StatusOK {
		t.Fatalf("status change: %d", st)
	}
	var req *http.Request
	var body []byte
	select {
	case req = <-got:
		body = <-bodies
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery")
	}
	var payload struct {
		Type   string
		Tenant string
		Data   struct {
			EntityID      string
			ChangedFields []string
		}
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Type != "cremployee:updated" || payload.Tenant != "acme" || payload.Data.EntityID != cand.ID ||
		!strings.Contains(strings.Join(payload.Data.ChangedFields, ","), "tostatusnode") {
		t.Errorf("payload = %s", body)
	}
	if req.Header.Get("X-Api-Key") != "k1" {
		t.Errorf("custom header missing: %v", req.Header)
	}
	if err := webhooks.VerifySignature([]byte(pem), body, req.Header.Get("Cx-Signature")); err != nil {
		t.Errorf("signature: %v", err)
	}
	// The created event was not subscribed, so exactly one job exists.
	if err := srv.Webhooks().WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if jobs := srv.Webhooks().DeliveryJobs(t.Context(), hook.WebhookCreate.ID); len(jobs) != 1 {
		t.Errorf("%d delivery jobs, want 1", len(jobs))
	}
}
