package carerixemu_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestSchemaIsValidGraphQL(t *testing.T) {
	// The embedded SDL parses on its own, independent of the resolvers.
	graphql.MustParseSchema(carerixemu.Schema(), nil)
}

// introspected types, enough to build minimal calls of every root field.
type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type field struct {
	Name string `json:"name"`
	Args []struct {
		Name string  `json:"name"`
		Type typeRef `json:"type"`
	} `json:"args"`
	Type typeRef `json:"type"`
}

type schemaInfo struct {
	Schema struct {
		QueryType    struct{ Fields []field } `json:"queryType"`
		MutationType struct{ Fields []field } `json:"mutationType"`
		Types        []struct {
			Name        string `json:"name"`
			Kind        string `json:"kind"`
			InputFields []struct {
				Name string  `json:"name"`
				Type typeRef `json:"type"`
			} `json:"inputFields"`
			EnumValues []struct{ Name string } `json:"enumValues"`
		} `json:"types"`
	} `json:"__schema"`
}

const typeRefFrag = `fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

const introspection = `query {
  __schema {
    queryType { fields { name args { name type { ...T } } type { ...T } } }
    mutationType { fields { name args { name type { ...T } } type { ...T } } }
    types { name kind inputFields { name type { ...T } } enumValues { name } }
  }
} ` + typeRefFrag

func introspect(t *testing.T, srv *carerixemu.Server) schemaInfo {
	t.Helper()
	var info schemaInfo
	mustData(t, gql(t, srv, token(t, srv), introspection, nil), &info)
	return info
}

// literal builds a minimal GraphQL literal for a required input type.
func literal(info schemaInfo, tr typeRef) string {
	switch tr.Kind {
	case "NON_NULL":
		return literal(info, *tr.OfType)
	case "LIST":
		return "[" + literal(info, *tr.OfType) + "]"
	case "SCALAR":
		switch tr.Name {
		case "Int":
			return "0"
		case "Boolean":
			return "false"
		default:
			return `"1"`
		}
	}
	for _, ty := range info.Schema.Types {
		if ty.Name != tr.Name {
			continue
		}
		if ty.Kind == "ENUM" {
			return ty.EnumValues[0].Name
		}
		var parts []string
		for _, f := range ty.InputFields {
			if f.Type.Kind == "NON_NULL" {
				parts = append(parts, f.Name+": "+literal(info, f.Type))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic("unknown type " + tr.Name)
}

func unwrap(tr typeRef) typeRef {
	for tr.OfType != nil {
		tr = *tr.OfType
	}
	return tr
}

// call renders a minimal query or mutation of one root field.
func call(info schemaInfo, op string, f field) string {
	var args []string
	for _, a := range f.Args {
		if a.Type.Kind == "NON_NULL" {
			args = append(args, a.Name+": "+literal(info, a.Type))
		}
	}
	s := op + " { " + f.Name
	if len(args) > 0 {
		s += "(" + strings.Join(args, ", ") + ")"
	}
	if k := unwrap(f.Type).Kind; k == "OBJECT" || k == "INTERFACE" {
		s += " { __typename }"
	}
	return s + " }"
}

// TestEveryRootFieldRequiresItsScope calls every query and mutation with a
// token whose only scope is unrelated, and expects FORBIDDEN naming the
// operation and its accepted scopes.
func TestEveryRootFieldRequiresItsScope(t *testing.T) {
	srv := start(t, func(o *carerixemu.Options) {
		o.Clients = []carerixemu.Client{{ID: testClient, Secret: testSecret,
			Scopes: append(carerixemu.AllScopes(), "urn:cx/meetings:data:manage")}}
	})
	info := introspect(t, srv)
	tok := token(t, srv, "urn:cx/meetings:data:manage")
	roots := map[string][]field{"query": info.Schema.QueryType.Fields, "mutation": info.Schema.MutationType.Fields}
	n := 0
	for op, fields := range roots {
		for _, f := range fields {
			n++
			required := carerixemu.OperationScopes(f.Name)
			if len(required) == 0 {
				t.Errorf("%s %s has no scope table entry", op, f.Name)
				continue
			}
			q := call(info, op, f)
			r := gql(t, srv, tok, q, nil)
			if r.Status != http.StatusOK || len(r.Errors) != 1 || r.code() != carerixemu.CodeForbidden {
				t.Errorf("%s: got status %d %s, want one FORBIDDEN error", q, r.Status, r.Body)
				continue
			}
			e := r.Errors[0]
			if !strings.Contains(e.Message, f.Name) || !strings.Contains(e.Message, required[0]) {
				t.Errorf("%s: message %q does not name the operation and scope %s", f.Name, e.Message, required[0])
			}
			got := fmt.Sprint(e.Extensions["requiredScopes"])
			if got != fmt.Sprint(required) {
				t.Errorf("%s: extensions.requiredScopes = %s, want %v", f.Name, got, required)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d root fields introspected", n)
	}
	if st := srv.Stats(); st.Operations["crEmployeePage"].Calls != 1 {
		t.Errorf("crEmployeePage calls = %d, want 1", st.Operations["crEmployeePage"].Calls)
	}
}

func TestScopeVariants(t *testing.T) {
	srv := start(t)
	read := carerixemu.EntityScope("cremployee", "read")
	tests := []struct {
		name    string
		scopes  []string
		query   string
		wantErr string // missing scope named in the error, "" = allowed
	}{
		{"Cx5ManageReads", []string{carerixemu.ScopeCx5Manage}, `{ crEmployeePage { totalElements } }`, ""},
		{"GraphQLManageReads", []string{carerixemu.ScopeGraphQLManage}, `{ crVacancyPage { totalElements } }`, ""},
		{"EntityReadReads", []string{read}, `{ crEmployeePage { totalElements } }`, ""},
		{"EntityReadIsPerEntity", []string{read}, `{ crVacancyPage { totalElements } }`, carerixemu.EntityScope("crvacancy", "read")},
		{"ReadCannotWrite", []string{read}, `mutation { crEmployeeDelete(_id: "1") { _id } }`, carerixemu.EntityScope("cremployee", "manage")},
		{"EntityManageDeletes", []string{carerixemu.EntityScope("cremployee", "manage")}, `mutation { crEmployeeDelete(_id: "999") { _id } }`, ""},
		{"WebhookScopeIsNotData", []string{"urn:cx/webhooks:data:manage"}, `{ crUserPage { totalElements } }`, carerixemu.ScopeCx5Manage},
		{"DataScopeIsNotWebhooks", []string{carerixemu.ScopeCx5Manage}, `{ webhookApplicationPage { totalElements } }`, "urn:cx/webhooks:data:manage"},
		{"ApplicationsReadScope", []string{"urn:cx/webhooks:data/applications:read"}, `{ webhookApplicationPage { totalElements } }`, ""},
		{"TemplatesNeedManage", []string{carerixemu.ScopeCx5Read}, `mutation { crTemplateReferenceDelete(_id: "1") { _id } }`, carerixemu.ScopeCx5Manage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, srv, token(t, srv, tc.scopes...), tc.query, nil)
			if tc.wantErr == "" {
				if r.code() == carerixemu.CodeForbidden {
					t.Fatalf("refused: %s", r.Body)
				}
				return
			}
			if r.code() != carerixemu.CodeForbidden || !strings.Contains(r.Errors[0].Message, tc.wantErr) {
				t.Fatalf("want FORBIDDEN naming %s, got %s", tc.wantErr, r.Body)
			}
			scopes, _ := r.Errors[0].Extensions["requiredScopes"].([]any)
			if !slices.ContainsFunc(scopes, func(v any) bool { return v == tc.wantErr }) {
				t.Errorf("requiredScopes %v lacks %s", scopes, tc.wantErr)
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	if r := gql(t, srv, tok, `{ crEmployeePage { nope } }`, nil); r.code() != carerixemu.CodeBadRequest {
		t.Errorf("unknown field: %s", r.Body)
	}
	if r := gql(t, srv, tok, `{ crEmployeePage(`, nil); r.code() != carerixemu.CodeBadRequest {
		t.Errorf("syntax error: %s", r.Body)
	}
	resp, err := http.Get(srv.GraphQLURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET status %d, want 405", resp.StatusCode)
	}
}
