package carerix

import (
	"slices"
	"strings"
	"time"
)

// schemaModel is what discovery learned of a tenant's schema: the root
// fields and the types it read. Introspection fills it from __schema and
// __type answers; probing from validation errors of minimal queries.
type schemaModel struct {
	queries   map[string]rootField
	mutations map[string]rootField
	types     map[string]*schemaType
}

// rootField is a root query or mutation field.
type rootField struct {
	name string
	args map[string]typeRef
	typ  typeRef
}

// schemaType is one named type.
type schemaType struct {
	name        string
	kind        string
	fields      map[string]typeRef // OBJECT and INTERFACE
	inputFields map[string]typeRef // INPUT_OBJECT
	enumValues  []string           // ENUM
}

// typeRef is an introspection type reference.
type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// named returns the named type under any NON_NULL and LIST wrappers.
func (r typeRef) named() string {
	for t := &r; t != nil; t = t.OfType {
		if t.Name != "" {
			return t.Name
		}
	}
	return ""
}

// isList reports whether r is a list, NON_NULL aside.
func (r typeRef) isList() bool {
	for t := &r; t != nil; t = t.OfType {
		switch t.Kind {
		case "LIST":
			return true
		case "NON_NULL":
			continue
		default:
			return false
		}
	}
	return false
}

func newSchemaModel() *schemaModel {
	return &schemaModel{queries: map[string]rootField{}, mutations: map[string]rootField{}, types: map[string]*schemaType{}}
}

// pageArgs are the arguments of the page queries the product uses.
var pageArgs = []string{"qualifier", "pageable", "norestrict"}

// resolve builds the contract from what was learned: each need resolves
// to the first of its names the tenant has.
func resolve(m *schemaModel, method string, readAt time.Time) *Contract {
	k := &Contract{ReadAt: readAt, Method: method, Types: map[string]string{}, Fields: map[string]string{},
		Ops: map[string]string{}, Args: map[string]bool{}, Requests: map[string]string{}, Inputs: map[string]string{}}
	gap := func(g Gap) { k.Gaps = append(k.Gaps, g) }

	// Types, by their documented name or an alternative; failing that, by
	// the item type of their page query.
	itemTypes := map[string]string{}
	for _, o := range opNeeds() {
		if f, ok := pick(m.queries, o.names); ok && strings.HasSuffix(o.logical, "Page") {
			if items, ok := m.types[f.typ.named()]; ok {
				itemTypes[o.entity] = items.fields["items"].named()
			}
		}
	}
	for _, t := range typeNeeds() {
		names := orSelf(t.logical, t.names)
		var found *schemaType
		for _, n := range names {
			if st, ok := m.types[n]; ok && len(st.fields) > 0 {
				found = st
				break
			}
		}
		if found == nil {
			if st, ok := m.types[itemTypes[t.logical]]; ok && len(st.fields) > 0 {
				found = st
				names = append(names, st.name)
			}
		}
		if found == nil {
			gap(Gap{Type: t.logical, Tried: names, Required: !t.optional, Effect: t.effect})
			continue
		}
		k.Types[t.logical] = found.name
		for _, n := range t.fields {
			name, ok := pickName(found.fields, n.names)
			if !ok {
				gap(Gap{Type: t.logical, Field: n.logical, Tried: n.names, Required: n.required, Effect: n.effect})
				continue
			}
			k.Fields[t.logical+"."+n.logical] = name
		}
	}

	// Root operations and their arguments.
	for _, o := range opNeeds() {
		if o.entity != "" && k.Types[o.entity] == "" {
			continue // the type is missing: its gap says so
		}
		roots := m.queries
		kind := "Query"
		if o.mutation {
			roots, kind = m.mutations, "Mutation"
		}
		f, ok := pick(roots, o.names)
		if !ok {
			if o.required || o.effect != EffectNone {
				gap(Gap{Type: kind, Field: o.logical, Tried: o.names, Required: o.required, Effect: o.effect})
			}
			continue
		}
		k.Ops[o.logical] = f.name
		for arg := range f.args {
			k.Args[o.logical+"."+arg] = true
		}
		if strings.HasSuffix(o.logical, "Page") {
			if !k.Args[o.logical+".qualifier"] {
				gap(Gap{Type: "Query", Field: o.logical + "(qualifier)", Tried: []string{"qualifier"}, Required: true})
			}
			if !k.Args[o.logical+".norestrict"] && (o.logical == opEmployeePage || o.logical == opVacancyPage) {
				gap(Gap{Type: "Query", Field: o.logical + "(norestrict)", Tried: []string{"norestrict"}, Effect: EffectSoftDeletes})
			}
		}
		if reqArg, ok := f.args["request"]; ok {
			k.Requests[o.logical] = reqArg.named()
			if it, ok := m.types[reqArg.named()]; ok {
				for _, n := range inputNeeds()[o.logical] {
					name, ok := pickName(it.inputFields, n.names)
					if !ok {
						// Probing cannot see input types: names follow the
						// output fields of the same meaning.
						if m.types[reqArg.named()].inputFields == nil {
							if out := k.Field(o.entity, n.logical); out != "" {
								k.Inputs[o.logical+"."+n.logical] = out
								continue
							}
						}
						if n.required {
							gap(Gap{Type: reqArg.named(), Field: n.logical, Tried: n.names, Required: true})
						}
						continue
					}
					k.Inputs[o.logical+"."+n.logical] = name
				}
			}
		}
	}
	if k.Ops[opDataNodeListBy] == "" && k.Ops[opDataNodePage] == "" && k.Types[typeDataNode] != "" {
		gap(Gap{Type: "Query", Field: "statuses", Tried: []string{opDataNodeListBy, opDataNodePage}, Required: true})
	}

	// Paging fields and sort: the page type and pageable input of the
	// candidate page query.
	if f, ok := pick(m.queries, []string{k.Ops[opEmployeePage]}); ok {
		if pt, ok := m.types[f.typ.named()]; ok && len(pt.fields) > 0 {
			for _, name := range pageInfoFields {
				if _, ok := pt.fields[name]; ok {
					k.PageFields = append(k.PageFields, name)
				}
			}
		}
		if pg, ok := m.types[f.args["pageable"].named()]; ok {
			k.Sort = sortForm(m, pg)
		}
	}
	if k.Sort == nil {
		pageable := "Pageable"
		if f, ok := pick(m.queries, []string{k.Ops[opEmployeePage]}); ok && f.args["pageable"].named() != "" {
			pageable = f.args["pageable"].named()
		}
		gap(Gap{Type: pageable, Field: "sort", Tried: []string{"sort"}, Effect: EffectSort})
	}
	k.compile()
	return k
}

// sortForm reads how a pageable input type takes an order.
func sortForm(m *schemaModel, pageable *schemaType) *SortForm {
	ref, ok := pageable.inputFields["sort"]
	if !ok {
		return nil
	}
	s := &SortForm{Field: "sort"}
	if ref.named() == "String" {
		s.Form = "string"
		s.Asc = "asc"
		return s
	}
	el, ok := m.types[ref.named()]
	if !ok || el.kind != "INPUT_OBJECT" {
		return nil
	}
	s.Form = "object"
	if ref.isList() {
		s.Form = "list"
	}
	var okP, okD bool
	if s.Property, okP = pickName(el.inputFields, []string{"property", "field", "key", "name"}); !okP {
		return nil
	}
	if s.Direction, okD = pickName(el.inputFields, []string{"direction", "order", "dir"}); !okD {
		return s // property alone: ascending is the default
	}
	dir := el.inputFields[s.Direction]
	if en, ok := m.types[dir.named()]; ok && en.kind == "ENUM" {
		s.Enum = true
		for _, v := range en.enumValues {
			if strings.EqualFold(v, "ASC") || strings.EqualFold(v, "ASCENDING") {
				s.Asc = v
				break
			}
		}
		if s.Asc == "" {
			s.Direction = "" // no ascending value: leave the default
		}
		return s
	}
	s.Asc = "ASC"
	return s
}

// pick returns the first root field among names.
func pick(roots map[string]rootField, names []string) (rootField, bool) {
	for _, n := range names {
		if f, ok := roots[n]; ok && n != "" {
			return f, true
		}
	}
	return rootField{}, false
}

// pickName returns the first of names that fields holds.
func pickName(fields map[string]typeRef, names []string) (string, bool) {
	for _, n := range names {
		if _, ok := fields[n]; ok {
			return n, true
		}
	}
	return "", false
}

// neededTypeNames lists every type name discovery should read: every name
// of every type need, and the types root operations mention.
func neededTypeNames(m *schemaModel) []string {
	set := map[string]bool{}
	for _, t := range typeNeeds() {
		for _, n := range orSelf(t.logical, t.names) {
			set[n] = true
		}
	}
	for _, o := range opNeeds() {
		roots := m.queries
		if o.mutation {
			roots = m.mutations
		}
		f, ok := pick(roots, o.names)
		if !ok {
			continue
		}
		if strings.HasSuffix(o.logical, "Page") {
			set[f.typ.named()] = true
		}
		for _, arg := range []string{"pageable", "request"} {
			if a, ok := f.args[arg]; ok {
				set[a.named()] = true
			}
		}
	}
	// The order types under a page query's pageable input, and the item
	// types of page types.
	for _, o := range opNeeds() {
		f, ok := pick(m.queries, o.names)
		if !ok || !strings.HasSuffix(o.logical, "Page") {
			continue
		}
		if pt, ok := m.types[f.typ.named()]; ok {
			set[pt.fields["items"].named()] = true
		}
		pg, ok := m.types[f.args["pageable"].named()]
		if !ok {
			continue
		}
		sort, ok := pg.inputFields["sort"]
		if !ok {
			continue
		}
		set[sort.named()] = true
		if el, ok := m.types[sort.named()]; ok {
			for _, ref := range el.inputFields {
				set[ref.named()] = true
			}
		}
	}
	delete(set, "")
	for _, scalar := range []string{"String", "Int", "Boolean", "ID", "Float"} {
		delete(set, scalar)
	}
	out := make([]string, 0, len(set))
	for n := range set {
		if _, done := m.types[n]; !done {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
