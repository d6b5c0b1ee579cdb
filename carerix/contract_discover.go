package carerix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Discovery methods recorded in Contract.Method.
const (
	MethodIntrospection = "introspection"
	MethodProbe         = "probe"
)

// maxDiscoveryRounds bounds the rounds of type reads (introspection) and
// of probe queries; each round learns what the previous one pointed to.
const maxDiscoveryRounds = 5

// typeRefFragment reads a type reference three wrappers deep
// ([T!]! and the like).
const typeRefFragment = `fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

// rootsQuery reads the root query and mutation fields with their
// arguments and types.
const rootsQuery = `query { __schema {
 queryType { name fields { name args { name type { ...R } } type { ...R } } }
 mutationType { name fields { name args { name type { ...R } } type { ...R } } } } } ` + typeRefFragment

// Discover reads the tenant's GraphQL schema and resolves the contract:
// by introspection (__schema and __type queries) where the tenant allows
// it, else by minimal probing queries whose validation errors name what
// the schema lacks. It also measures the largest page Carerix answers.
// Access failures (credentials, scopes) are returned as they are; a
// contract with required gaps is returned without error (see
// Contract.Err).
func (c *Client) Discover(ctx context.Context) (*Contract, error) {
	m, err := c.introspect(ctx)
	method := MethodIntrospection
	if err != nil {
		if !introspectionRefused(err) {
			return nil, fmt.Errorf("reading the Carerix schema: %w", err)
		}
		c.log.InfoContext(ctx, "carerix introspection refused; probing the schema", "error", err)
		if m, err = c.probe(ctx); err != nil {
			return nil, fmt.Errorf("probing the Carerix schema: %w", err)
		}
		method = MethodProbe
	}
	k := resolve(m, method, c.now().UTC())
	if k.Err() == nil {
		k.MaxPageSize = c.measurePageSize(ctx, k)
		k.ByIDs = c.probeByIDs(ctx, k)
		k.NoIDQualifier = !k.ByIDs && c.refusesIDQualifier(ctx, k)
	}
	return k, nil
}

// introspectionRefused reports whether err means the tenant does not
// answer introspection (as opposed to refusing us access altogether).
func introspectionRefused(err error) bool {
	switch ErrorKind(err) {
	case ErrUnauthenticated, ErrMissingScope, ErrRateLimited, ErrServer, "":
		return false
	}
	return true
}

// introspect reads the root fields, then the types they and the needs
// name, a round per level of nesting.
func (c *Client) introspect(ctx context.Context) (*schemaModel, error) {
	var roots struct {
		Schema struct {
			QueryType    *wireIntroType `json:"queryType"`
			MutationType *wireIntroType `json:"mutationType"`
		} `json:"__schema"`
	}
	if err := c.graphQL(ctx, "introspection", rootsQuery, nil, &roots, true); err != nil {
		return nil, err
	}
	if roots.Schema.QueryType == nil {
		return nil, &Error{Kind: ErrProtocol, Op: "introspection", Message: "the schema has no query type"}
	}
	m := newSchemaModel()
	m.queries = roots.Schema.QueryType.roots()
	if roots.Schema.MutationType != nil {
		m.mutations = roots.Schema.MutationType.roots()
	}
	for range maxDiscoveryRounds {
		names := neededTypeNames(m)
		if len(names) == 0 {
			break
		}
		got, err := c.readTypes(ctx, names)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			st := got[n]
			if st == nil {
				st = &schemaType{name: n} // asked for, absent: never ask again
			}
			m.types[n] = st
		}
	}
	return m, nil
}

// readTypes reads the named types in one query of aliased __type fields.
func (c *Client) readTypes(ctx context.Context, names []string) (map[string]*schemaType, error) {
	var b strings.Builder
	b.WriteString("query {")
	for i, n := range names {
		if !pathPattern.MatchString(n) || strings.Contains(n, ".") {
			continue
		}
		fmt.Fprintf(&b, " t%d: __type(name: %q) { ...T }", i, n)
	}
	b.WriteString(" } fragment T on __Type { name kind fields(includeDeprecated: true) { name type { ...R } }" +
		" inputFields { name type { ...R } } enumValues(includeDeprecated: true) { name } } " + typeRefFragment)
	var data map[string]*wireIntroType
	if err := c.graphQL(ctx, "introspection", b.String(), nil, &data, true); err != nil {
		return nil, err
	}
	out := map[string]*schemaType{}
	for _, t := range data {
		if t != nil && t.Name != "" {
			out[t.Name] = t.schemaType()
		}
	}
	return out, nil
}

// wireIntroType is an introspection __Type.
type wireIntroType struct {
	Name        string           `json:"name"`
	Kind        string           `json:"kind"`
	Fields      []wireIntroField `json:"fields"`
	InputFields []wireIntroField `json:"inputFields"`
	EnumValues  []struct {
		Name string `json:"name"`
	} `json:"enumValues"`
}

type wireIntroField struct {
	Name string           `json:"name"`
	Args []wireIntroField `json:"args"`
	Type typeRef          `json:"type"`
}

func (t *wireIntroType) roots() map[string]rootField {
	out := map[string]rootField{}
	for _, f := range t.Fields {
		rf := rootField{name: f.Name, typ: f.Type, args: map[string]typeRef{}}
		for _, a := range f.Args {
			rf.args[a.Name] = a.Type
		}
		out[f.Name] = rf
	}
	return out
}

func (t *wireIntroType) schemaType() *schemaType {
	st := &schemaType{name: t.Name, kind: t.Kind}
	if t.Fields != nil {
		st.fields = map[string]typeRef{}
		for _, f := range t.Fields {
			st.fields[f.Name] = f.Type
		}
	}
	if t.InputFields != nil {
		st.inputFields = map[string]typeRef{}
		for _, f := range t.InputFields {
			st.inputFields[f.Name] = f.Type
		}
	}
	for _, v := range t.EnumValues {
		st.enumValues = append(st.enumValues, v.Name)
	}
	return st
}

// measurePageSize asks for a page of 500 records that matches nothing and
// returns the size Carerix reports it would use (servers clamp larger
// sizes); 0 when it cannot tell.
func (c *Client) measurePageSize(ctx context.Context, k *Contract) int {
	op := k.Op(opUserPage)
	if op == "" {
		return 0
	}
	for _, size := range []int{MaxPageSize, 200} {
		q := fmt.Sprintf(`query ($q: String) { %s(qualifier: $q, pageable: {page: 0, size: %d}) { size } }`, op, size)
		var data map[string]*struct {
			Size int `json:"size"`
		}
		err := c.graphQL(ctx, op, q, map[string]any{"q": "_id = '-1'"}, &data, true)
		if err == nil && data[op] != nil && data[op].Size > 0 {
			return min(data[op].Size, size)
		}
		if err != nil && !errors.Is(err, ErrBadRequest) && !errors.Is(err, ErrContract) {
			return 0
		}
	}
	return 0
}

// probeByIDs asks for the candidates with either of two _ids no record
// has, in one qualifier joined by OR, and reports whether Carerix answered:
// whether records can be read by id many to a request. The documentation
// shows OR in qualifiers but no qualifier on _id, so this is confirmed per
// tenant rather than assumed.
func (c *Client) probeByIDs(ctx context.Context, k *Contract) bool {
	err := c.probeIDQualifier(ctx, k, func(id string) Qualifier { return In(id, "-1", "-2") })
	if err != nil {
		c.log.InfoContext(ctx, "carerix refused a qualifier on several _ids; records are read by id with a page query each, several to a request", "error", err)
	}
	return err == nil
}

// refusesIDQualifier asks for the candidate with an _id no record has and
// reports whether Carerix refused the qualifier: whether records must be
// read by id through their own queries. Any other failure is not taken
// for a refusal (reads by id find out at run time).
func (c *Client) refusesIDQualifier(ctx context.Context, k *Contract) bool {
	err := c.probeIDQualifier(ctx, k, func(id string) Qualifier { return Eq(id, "-1") })
	if errors.Is(err, ErrInvalidQualifier) {
		c.log.InfoContext(ctx, "carerix refused a qualifier on _id; records are read by id through their own queries", "error", err)
		return true
	}
	return false
}

// probeIDQualifier asks for a page of candidates qualified by the
// qualifier on the tenant's _id that q builds, and returns Carerix's
// error, if any.
func (c *Client) probeIDQualifier(ctx context.Context, k *Contract, q func(id string) Qualifier) error {
	op, id := k.Op(opEmployeePage), k.Field(typeEmployee, "_id")
	if op == "" || id == "" {
		return k.opMissing(opEmployeePage)
	}
	qs, err := q(id).Build()
	if err != nil {
		return err
	}
	query := fmt.Sprintf(`query ($q: String) { %s(qualifier: $q, pageable: {page: 0, size: 1}) { items { %s } } }`, op, id)
	var data map[string]*struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := c.graphQL(ctx, op, query, map[string]any{"q": qs}, &data, true); err != nil {
		return err
	}
	if data[op] == nil {
		return &Error{Kind: ErrProtocol, Op: op, Message: "page is null"}
	}
	return nil
}

// probe learns the schema from validation errors where introspection is
// refused. A query that names unknown fields fails validation as a whole,
// before anything runs, and the errors name each unknown field and its
// type; so one minimal query per level tells which of the names the
// product may use exist. Mutations are probed the same way and never run.
// Request input types cannot be seen: their names follow the output
// fields of the same meaning (resolve).
func (c *Client) probe(ctx context.Context) (*schemaModel, error) {
	m := newSchemaModel()
	queries, mutations := map[string]bool{}, map[string]bool{}
	for _, o := range opNeeds() {
		for _, n := range o.names {
			if o.mutation {
				mutations[n] = true
			} else {
				queries[n] = true
			}
		}
	}
	var err error
	if m.queries, err = c.probeRoots(ctx, "query", queries); err != nil {
		return nil, err
	}
	if m.mutations, err = c.probeRoots(ctx, "mutation", mutations); err != nil {
		return nil, err
	}
	for _, t := range typeNeeds() {
		st, err := c.probeType(ctx, m, t)
		if err != nil {
			return nil, err
		}
		if st != nil {
			m.types[st.name] = st
		}
	}
	c.probeSort(ctx, m)
	return m, nil
}

// probeRoots sends the root fields bare: each one the schema has fails
// validation for want of arguments or a selection; each one it lacks is
// named as unknown.
func (c *Client) probeRoots(ctx context.Context, kind string, names map[string]bool) (map[string]rootField, error) {
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	query := kind + " { " + strings.Join(sorted, " ") + " }"
	unknown, err := c.probeQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	out := map[string]rootField{}
	gone := map[string]bool{}
	for _, u := range unknown {
		gone[u.field] = true
	}
	for _, n := range sorted {
		if gone[n] {
			continue
		}
		rf := rootField{name: n, args: map[string]typeRef{}}
		for _, a := range pageArgs {
			rf.args[a] = typeRef{Kind: "SCALAR", Name: "String"}
		}
		if strings.HasSuffix(n, "Create") || strings.HasSuffix(n, "Update") {
			rf.args["request"] = typeRef{Kind: "INPUT_OBJECT", Name: requestTypeGuess(n)}
		}
		out[n] = rf
	}
	return out, nil
}

// requestTypeGuess is the request input type of a create or update
// mutation by Carerix's naming ("crToDoCreate" → "CRToDoRequest").
func requestTypeGuess(mutation string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(mutation, "Create"), "Update")
	return "CR" + strings.TrimPrefix(base, "cr") + "Request"
}

// probeType learns which of a type's field names exist by selecting all
// of them (relations with their own needs, one level) through a query of
// that type, dropping the unknown ones until the query validates.
func (c *Client) probeType(ctx context.Context, m *schemaModel, t typeNeed) (*schemaType, error) {
	var root string
	for _, o := range opNeeds() {
		if o.entity != t.logical || o.mutation {
			continue
		}
		if f, ok := pick(m.queries, o.names); ok {
			if strings.HasSuffix(o.logical, "Page") {
				root = f.name + `(pageable: {page: 0, size: 1}) { items { %s } }`
				break
			}
			if root == "" {
				root = f.name + `(_id: "-1") { %s }`
			}
		}
	}
	if root == "" {
		return nil, nil // no way to read it: resolve reports the gap
	}
	name := orSelf(t.logical, t.names)[0]
	fields := map[string]bool{}
	targets := map[string][]string{}
	for _, n := range t.fields {
		for _, alt := range n.names {
			fields[alt] = true
			if n.target != "" {
				targets[alt] = probeNames(n.target)
			}
		}
	}
	for range maxDiscoveryRounds {
		unknown, err := c.probeQuery(ctx, "query { "+fmt.Sprintf(root, probeSelection(fields, targets))+" }")
		if err != nil {
			return nil, err
		}
		if len(unknown) == 0 {
			break
		}
		changed := false
		own := orSelf(t.logical, t.names)
		for _, u := range unknown {
			if slices.Contains(own, u.typ) {
				name = u.typ // the tenant's name of the type
				if fields[u.field] {
					delete(fields, u.field)
					changed = true
				}
				continue
			}
			for rel, sub := range targets {
				if i := slices.Index(sub, u.field); i >= 0 {
					targets[rel] = slices.Delete(sub, i, i+1)
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	st := &schemaType{name: name, kind: "OBJECT", fields: map[string]typeRef{}}
	for f := range fields {
		ref := typeRef{Kind: "SCALAR", Name: "String"}
		for _, n := range t.fields {
			if n.target != "" && slices.Contains(n.names, f) {
				ref = typeRef{Kind: "OBJECT", Name: orSelf(n.target, typeNeedNames(n.target))[0]}
			}
		}
		st.fields[f] = ref
	}
	// The fields found on relation targets describe those types too.
	for _, n := range t.fields {
		if n.target == "" {
			continue
		}
		for _, alt := range n.names {
			if !fields[alt] {
				continue
			}
			tn := orSelf(n.target, typeNeedNames(n.target))[0]
			tt := m.types[tn]
			if tt == nil {
				tt = &schemaType{name: tn, kind: "OBJECT", fields: map[string]typeRef{}}
				m.types[tn] = tt
			}
			for _, f := range targets[alt] {
				if _, ok := tt.fields[f]; !ok {
					tt.fields[f] = typeRef{Kind: "SCALAR", Name: "String"}
				}
			}
		}
	}
	return st, nil
}

// typeNeedNames returns the names of a logical type.
func typeNeedNames(logical string) []string {
	for _, t := range typeNeeds() {
		if t.logical == logical {
			return t.names
		}
	}
	return nil
}

// probeNames are the scalar names to try on a relation's target type.
func probeNames(target string) []string {
	var out []string
	for _, t := range typeNeeds() {
		if t.logical != target {
			continue
		}
		for _, n := range t.fields {
			if n.target == "" {
				out = append(out, n.names...)
			}
		}
	}
	return out
}

// probeSelection renders every candidate field, relations with their
// target's scalar candidates.
func probeSelection(fields map[string]bool, targets map[string][]string) string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, f := range names {
		b.WriteString(f)
		if sub, ok := targets[f]; ok {
			b.WriteString(" { ")
			if len(sub) == 0 {
				b.WriteString("_id")
			}
			b.WriteString(strings.Join(sub, " "))
			b.WriteString(" }")
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// probeSort tries an explicit order in the forms tenants were seen to
// take, and records the first that validates on the user page query.
func (c *Client) probeSort(ctx context.Context, m *schemaModel) {
	f, ok := pick(m.queries, []string{opUserPage})
	if !ok {
		return
	}
	forms := []struct {
		literal string
		sort    typeRef
		el      *schemaType
	}{
		{`[{property: "userID", direction: ASC}]`, typeRef{Kind: "LIST", OfType: &typeRef{Kind: "INPUT_OBJECT", Name: "SortOrder"}},
			&schemaType{name: "SortOrder", kind: "INPUT_OBJECT", inputFields: map[string]typeRef{"property": {Kind: "SCALAR", Name: "String"}, "direction": {Kind: "ENUM", Name: "SortDirection"}}}},
		{`{property: "userID", direction: ASC}`, typeRef{Kind: "INPUT_OBJECT", Name: "SortOrder"},
			&schemaType{name: "SortOrder", kind: "INPUT_OBJECT", inputFields: map[string]typeRef{"property": {Kind: "SCALAR", Name: "String"}, "direction": {Kind: "ENUM", Name: "SortDirection"}}}},
		{`"userID,asc"`, typeRef{Kind: "SCALAR", Name: "String"}, nil},
	}
	for _, form := range forms {
		q := fmt.Sprintf(`query { %s(qualifier: "_id = '-1'", pageable: {page: 0, size: 1, sort: %s}) { size } }`, f.name, form.literal)
		var data map[string]any
		if err := c.graphQL(ctx, "probe", q, nil, &data, true); err != nil {
			continue
		}
		pg := &schemaType{name: "Pageable", kind: "INPUT_OBJECT", inputFields: map[string]typeRef{
			"page": {Kind: "SCALAR", Name: "Int"}, "size": {Kind: "SCALAR", Name: "Int"}, "sort": form.sort}}
		m.types[pg.name] = pg
		if form.el != nil {
			m.types[form.el.name] = form.el
			m.types["SortDirection"] = &schemaType{name: "SortDirection", kind: "ENUM", enumValues: []string{"ASC", "DESC"}}
		}
		for name, rf := range m.queries {
			if strings.HasSuffix(name, "Page") {
				rf.args["pageable"] = typeRef{Kind: "INPUT_OBJECT", Name: pg.name}
			}
		}
		return
	}
}

// probeQuery sends a query expected to fail validation and returns the
// names the errors say are unknown, each with the type it was looked for
// on. Errors that are not about the schema (access, throttling, outages)
// are returned.
func (c *Client) probeQuery(ctx context.Context, query string) ([]unknownRef, error) {
	var data map[string]any
	err := c.graphQL(ctx, "probe", query, nil, &data, true)
	var unknown []unknownRef
	if err == nil {
		return unknown, nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return nil, err
	}
	switch e.Kind {
	case ErrUnauthenticated, ErrMissingScope, ErrForbidden, ErrRateLimited, ErrServer:
		return nil, err
	}
	for _, msg := range strings.Split(e.Message, "; ") {
		if f, typ, ok := unknownField(msg); ok {
			unknown = append(unknown, unknownRef{field: f, typ: typ})
		}
	}
	return unknown, nil
}

// unknownRef is a field a validation error called unknown, with its type.
type unknownRef struct{ field, typ string }
