package carerix

import (
	"strings"
	"testing"
	"time"
)

// modelOf builds a schema model: every type need under its first name,
// with the fields listed for it (all names a test gives), and the root
// fields listed.
func modelOf(types map[string][]string, queries, mutations []string) *schemaModel {
	m := newSchemaModel()
	for name, fields := range types {
		st := &schemaType{name: name, kind: "OBJECT", fields: map[string]typeRef{}}
		for _, f := range fields {
			st.fields[f] = typeRef{Kind: "SCALAR", Name: "String"}
		}
		m.types[name] = st
	}
	for _, q := range queries {
		rf := rootField{name: q, args: map[string]typeRef{}}
		for _, a := range pageArgs {
			rf.args[a] = typeRef{Kind: "SCALAR", Name: "String"}
		}
		m.queries[q] = rf
	}
	for _, q := range mutations {
		m.mutations[q] = rootField{name: q, args: map[string]typeRef{"request": {Kind: "INPUT_OBJECT", Name: requestTypeGuess(q)}}}
	}
	return m
}

// fullModel is a schema with every documented name.
func fullModel() (map[string][]string, []string, []string) {
	types := map[string][]string{}
	for _, t := range typeNeeds() {
		var fields []string
		for _, n := range t.fields {
			fields = append(fields, n.names[0])
		}
		types[orSelf(t.logical, t.names)[0]] = fields
	}
	var queries, mutations []string
	for _, o := range opNeeds() {
		if o.mutation {
			mutations = append(mutations, o.names[0])
		} else {
			queries = append(queries, o.names[0])
		}
	}
	return types, queries, mutations
}

func TestResolvePicksTheFirstNameTheTenantHas(t *testing.T) {
	tests := []struct {
		name   string
		has    []string // CRStatusInfo fields besides _id
		want   string
		hasGap bool
	}{
		{"documented display name", []string{"statusName", "displayName"}, "displayName", false},
		{"name", []string{"name", "label"}, "name", false},
		{"label", []string{"label", "statusName"}, "label", false},
		{"status name only", []string{"statusName"}, "statusName", false},
		{"none", []string{"colour"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			types, queries, mutations := fullModel()
			types["CRStatusInfo"] = append([]string{"_id"}, tc.has...)
			k := resolve(modelOf(types, queries, mutations), MethodIntrospection, time.Now())
			if got := k.Field("CRStatusInfo", "label"); got != tc.want {
				t.Errorf("stage label resolves to %q, want %q", got, tc.want)
			}
			if k.Lacks(EffectStageLabels) != tc.hasGap {
				t.Errorf("stage label gap = %v, want %v (gaps %v)", k.Lacks(EffectStageLabels), tc.hasGap, k.Gaps)
			}
			if err := k.Err(); err != nil {
				t.Errorf("an optional field made the contract fail: %v", err)
			}
			sel, err := k.selection("CRMatch")
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && tc.want != "label" && !strings.Contains(sel, "statusInfo { _id label: "+tc.want+" }") {
				t.Errorf("match selection %q does not alias %s to label", sel, tc.want)
			}
			if tc.want == "" && !strings.Contains(sel, "statusInfo { _id }") {
				t.Errorf("match selection %q selects a stage label the tenant lacks", sel)
			}
		})
	}
}

func TestResolveRequiredGapNamesTypeFieldAndNamesTried(t *testing.T) {
	types, queries, mutations := fullModel()
	var kept []string
	for _, f := range types["CREmployee"] {
		if f != "toStatusNode" {
			kept = append(kept, f)
		}
	}
	types["CREmployee"] = kept
	k := resolve(modelOf(types, queries, mutations), MethodIntrospection, time.Now())
	err := k.Err()
	if err == nil {
		t.Fatal("a contract without CREmployee.toStatusNode is accepted")
	}
	want := "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)"
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q, want one line containing %q", err, want)
	}
	if _, err := k.selection("CREmployee"); err == nil {
		t.Error("a candidate selection was built without its required status")
	}
}

func TestResolveTypeAndOperationAlternatives(t *testing.T) {
	types, queries, mutations := fullModel()
	types["CRTodo"] = types["CRToDo"]
	delete(types, "CRToDo")
	for i, q := range queries {
		if q == "crToDo" {
			queries[i] = "crTodo"
		}
	}
	k := resolve(modelOf(types, queries, mutations), MethodIntrospection, time.Now())
	if got := k.TypeName("CRToDo"); got != "CRTodo" {
		t.Errorf("activity type resolves to %q, want CRTodo", got)
	}
	if got := k.Op("crToDo"); got != "crTodo" {
		t.Errorf("activity query resolves to %q, want crTodo", got)
	}
	if k.Lacks(EffectActivities) {
		t.Errorf("activities switched off: %v", k.Gaps)
	}
}

func TestResolveMissingOptionalTypeSwitchesOffItsEffect(t *testing.T) {
	types, queries, mutations := fullModel()
	delete(types, "CRToDo")
	k := resolve(modelOf(types, queries, mutations), MethodIntrospection, time.Now())
	if err := k.Err(); err != nil {
		t.Fatalf("missing activities made the contract fail: %v", err)
	}
	if !k.Lacks(EffectActivities) {
		t.Errorf("no gap switches off activities: %v", k.Gaps)
	}
	for _, g := range k.Gaps {
		if g.Type == "Query" || g.Type == "Mutation" {
			if strings.Contains(strings.ToLower(g.Field), "todo") {
				t.Errorf("an operation of the missing type is reported separately: %v", g)
			}
		}
	}
}

func TestResolveStatusListingNeedsOneOfTwoQueries(t *testing.T) {
	types, queries, mutations := fullModel()
	var kept []string
	for _, q := range queries {
		if q != "crDataNodeListBy" {
			kept = append(kept, q)
		}
	}
	k := resolve(modelOf(types, kept, mutations), MethodIntrospection, time.Now())
	if err := k.Err(); err != nil {
		t.Errorf("crDataNodePage alone should do: %v", err)
	}
	var none []string
	for _, q := range kept {
		if q != "crDataNodePage" {
			none = append(none, q)
		}
	}
	k = resolve(modelOf(types, none, mutations), MethodIntrospection, time.Now())
	if err := k.Err(); err == nil || !strings.Contains(err.Error(), "crDataNodeListBy, crDataNodePage") {
		t.Errorf("err = %v, want a required gap naming both queries", err)
	}
}

func TestSortLiteralForms(t *testing.T) {
	k := &Contract{Fields: map[string]string{"CREmployee.employeeID": "employeeID"}}
	tests := []struct {
		sort *SortForm
		want string
	}{
		{&SortForm{Field: "sort", Form: "list", Property: "property", Direction: "direction", Asc: "ASC", Enum: true},
			`, sort: [{property: "employeeID", direction: ASC}]`},
		{&SortForm{Field: "sort", Form: "object", Property: "field", Direction: "order", Asc: "asc"},
			`, sort: {field: "employeeID", order: "asc"}`},
		{&SortForm{Field: "sort", Form: "string", Asc: "asc"}, `, sort: "employeeID,asc"`},
	}
	for _, tc := range tests {
		k.Sort = tc.sort
		got, err := k.sortLiteral("CREmployee", "employeeID")
		if err != nil || got != tc.want {
			t.Errorf("%s form: %q, %v; want %q", tc.sort.Form, got, err, tc.want)
		}
	}
	k.Sort = nil
	if _, err := k.sortLiteral("CREmployee", "employeeID"); err == nil {
		t.Error("a sort was rendered for a tenant that takes none")
	}
}

func TestContractRoundTripsThroughStorage(t *testing.T) {
	types, queries, mutations := fullModel()
	k := resolve(modelOf(types, queries, mutations), MethodIntrospection, time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	b, err := MarshalContract(k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalContract(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"CREmployee", "CRVacancy", "CRMatch", "CRUser", "CRToDo", "CRTemplateReference"} {
		a, _ := k.selection(typ)
		b, err := back.selection(typ)
		if err != nil || a != b {
			t.Errorf("%s selection after storage %q, %v; want %q", typ, b, err, a)
		}
	}
	if !back.ReadAt.Equal(k.ReadAt) || back.Method != k.Method {
		t.Errorf("read %v by %s, want %v by %s", back.ReadAt, back.Method, k.ReadAt, k.Method)
	}
}
