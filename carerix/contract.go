package carerix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Contract is what one tenant's Carerix GraphQL schema offers the product:
// for every type, field and operation the product needs (contract_spec.go),
// the name this tenant uses, or a Gap saying it has none. It is read from
// the tenant (Discover) and stored with the tenant; every query the client
// sends is built from it, so nothing selects a field the tenant lacks.
//
// A Contract is immutable once made and safe for concurrent use.
type Contract struct {
	// ReadAt is when the schema was read.
	ReadAt time.Time `json:"read_at"`
	// Method is how: "introspection", or "probe" where the tenant refuses
	// introspection and validation errors of minimal queries told.
	Method string `json:"method"`
	// Types maps a logical type ("CRToDo") to the tenant's name for it
	// ("CRTodo"); a type the tenant lacks is absent.
	Types map[string]string `json:"types"`
	// Fields maps "Type.logical" to the tenant's field name.
	Fields map[string]string `json:"fields"`
	// Ops maps a logical root field ("crToDoCreate") to the tenant's.
	Ops map[string]string `json:"ops"`
	// Args holds "op.arg" for each known argument the tenant's operation
	// takes (qualifier, pageable, norestrict, type, tag).
	Args map[string]bool `json:"args"`
	// Requests maps a logical mutation to the name of its request input
	// type; Inputs maps "mutation.logical" to the request field's name.
	Requests map[string]string `json:"requests"`
	Inputs   map[string]string `json:"inputs"`
	// PageFields are the documented paging fields the tenant's page type
	// has; empty means all of them (not read).
	PageFields []string `json:"page_fields,omitempty"`
	// Sort says how pageable takes an explicit order; nil when it does not.
	Sort *SortForm `json:"sort,omitempty"`
	// MaxPageSize is the largest page Carerix answered with when asked for
	// a large one; 0 when not measured.
	MaxPageSize int `json:"max_page_size,omitempty"`
	// ByIDs says page queries take a qualifier selecting several records
	// by _id ("(_id = 'a' OR _id = 'b')"), so records are read by id many
	// to a request: discovery probes it. False in contracts read before
	// the probe existed and where Carerix refused it; records are then
	// read by id with a page query each, several to a request (or one at
	// a time by their own queries, see NoIDQualifier).
	ByIDs bool `json:"by_ids,omitempty"`
	// NoIDQualifier says Carerix refused a qualifier on one _id
	// ("_id = 'a'") at discovery, which probes it where ByIDs is false:
	// records are then read by id through their own queries (crX(_id)),
	// which find no soft-deleted record.
	NoIDQualifier bool `json:"no_id_qualifier,omitempty"`
	// Gaps are the needs the tenant has no name for.
	Gaps []Gap `json:"gaps,omitempty"`

	selections map[string]string // logical type → rendered selection
	selErr     map[string]error  // logical type → why it cannot be rendered
}

// SortForm describes how a tenant's pageable input takes a sort order.
type SortForm struct {
	// Field is the pageable field holding the order ("sort").
	Field string `json:"field"`
	// Form is "list" (a list of {property, direction} objects), "object"
	// (one such object) or "string" ("employeeID,asc").
	Form string `json:"form"`
	// Property and Direction name the order object's fields.
	Property  string `json:"property,omitempty"`
	Direction string `json:"direction,omitempty"`
	// Asc is how ascending is written; Enum says it is an enum value
	// (written bare) rather than a string.
	Asc  string `json:"asc,omitempty"`
	Enum bool   `json:"enum,omitempty"`
}

// Gap is one need of the product that the tenant's schema does not meet.
type Gap struct {
	// Type is the logical Carerix type ("CREmployee"), or "Query" or
	// "Mutation" for a root operation.
	Type string `json:"type"`
	// Field is the logical field or operation; empty when the whole type
	// is missing.
	Field string `json:"field,omitempty"`
	// Tried are the names looked for, in order.
	Tried []string `json:"tried"`
	// Required gaps stop the product for the tenant; others switch off
	// Effect.
	Required bool   `json:"required"`
	Effect   Effect `json:"effect,omitempty"`
}

// String is the gap in one line: the Carerix type, the field and the names
// tried, and for an optional gap what it switches off.
func (g Gap) String() string {
	var b strings.Builder
	tried := strings.Join(g.Tried, ", ")
	op, arg, isArg := strings.Cut(strings.TrimSuffix(g.Field, ")"), "(")
	switch {
	case g.Field == "":
		fmt.Fprintf(&b, "Carerix has no type %s (tried %s)", g.Type, tried)
	case (g.Type == "Query" || g.Type == "Mutation") && isArg:
		fmt.Fprintf(&b, "Carerix %s %s takes no argument %s", strings.ToLower(g.Type), op, arg)
	case g.Type == "Query" || g.Type == "Mutation":
		fmt.Fprintf(&b, "Carerix has no %s operation %s (tried %s)", strings.ToLower(g.Type), g.Field, tried)
	default:
		fmt.Fprintf(&b, "Carerix type %s has no field %s (tried %s)", g.Type, g.Field, tried)
	}
	if !g.Required {
		fmt.Fprintf(&b, ": %s", g.Effect.Describe())
	}
	return b.String()
}

// Err returns an ErrContract error naming every required gap in one line,
// or nil when the product can work with the tenant.
func (k *Contract) Err() error {
	if k == nil {
		return &Error{Kind: ErrContract, Op: "contract", Message: "the tenant's Carerix API contract has not been read"}
	}
	var lines []string
	for _, g := range k.Gaps {
		if g.Required {
			lines = append(lines, g.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return &Error{Kind: ErrContract, Op: "contract", Message: strings.Join(lines, "; ")}
}

// Optional returns the optional gaps: what the tenant's schema switches off.
func (k *Contract) Optional() []Gap {
	var out []Gap
	for _, g := range k.Gaps {
		if !g.Required {
			out = append(out, g)
		}
	}
	return out
}

// Lacks reports whether an optional gap switches off effect.
func (k *Contract) Lacks(effect Effect) bool {
	for _, g := range k.Gaps {
		if g.Effect == effect {
			return true
		}
	}
	return false
}

// HasStableHash reports whether the tenant's API gives the stableHash of
// candidates, vacancies and users, which the embed URL proof needs.
func (k *Contract) HasStableHash() bool {
	return k.Has(typeEmployee, "stableHash") && k.Has(typeVacancy, "stableHash") && k.Has(typeUser, "stableHash")
}

// Has reports whether the tenant's type has the logical field.
func (k *Contract) Has(typ, logical string) bool { return k.Field(typ, logical) != "" }

// Field returns the tenant's name of a logical field, "" when it has none.
func (k *Contract) Field(typ, logical string) string {
	if k == nil {
		return ""
	}
	return k.Fields[typ+"."+logical]
}

// TypeName returns the tenant's name of a logical type, "" when it has none.
func (k *Contract) TypeName(logical string) string {
	if k == nil {
		return ""
	}
	return k.Types[logical]
}

// Op returns the tenant's name of a logical root field, "" when it has none.
func (k *Contract) Op(logical string) string {
	if k == nil {
		return ""
	}
	return k.Ops[logical]
}

// ReadsByIDs reports whether several records can be read by id in one
// page query (see ByIDs).
func (k *Contract) ReadsByIDs() bool { return k != nil && k.ByIDs }

// RefusesIDQualifier reports whether Carerix refused a qualifier on _id
// at discovery (see NoIDQualifier).
func (k *Contract) RefusesIDQualifier() bool { return k != nil && k.NoIDQualifier }

// CanSort reports whether pages can be asked for in an explicit order.
func (k *Contract) CanSort() bool { return k != nil && k.Sort != nil }

// Path translates a qualifier key path of logical field names, starting at
// logical type typ ("CRMatch", "toEmployee", "toStatusNode", "_id"), into
// the tenant's names. A segment the tenant lacks is an ErrContract error.
func (k *Contract) Path(typ string, logical ...string) (string, error) {
	out := make([]string, 0, len(logical))
	for _, seg := range logical {
		n, ok := findNeed(typ, seg)
		name := k.Field(typ, seg)
		if !ok || name == "" {
			return "", &Error{Kind: ErrContract, Op: "qualifier", Message: fmt.Sprintf("Carerix type %s has no field %s to filter on", typ, seg)}
		}
		out = append(out, name)
		typ = n.target
	}
	return strings.Join(out, "."), nil
}

// findNeed returns the need of a logical field of a logical type.
func findNeed(typ, logical string) (need, bool) {
	for _, t := range typeNeeds() {
		if t.logical != typ {
			continue
		}
		for _, n := range t.fields {
			if n.logical == logical {
				return n, true
			}
		}
	}
	return need{}, false
}

// Summary lists the contract for people: what was read when, each
// resolved name that differs from the documented one, and every gap.
func (k *Contract) Summary() []string {
	if k == nil {
		return []string{"not read yet"}
	}
	lines := []string{fmt.Sprintf("read %s by %s", k.ReadAt.UTC().Format(time.RFC3339), k.Method)}
	var renamed []string
	for key, name := range k.Fields {
		if _, logical, _ := strings.Cut(key, "."); logical != name {
			renamed = append(renamed, fmt.Sprintf("%s is %s", key, name))
		}
	}
	for logical, name := range k.Types {
		if logical != name {
			renamed = append(renamed, fmt.Sprintf("type %s is %s", logical, name))
		}
	}
	for logical, name := range k.Ops {
		if logical != name {
			renamed = append(renamed, fmt.Sprintf("operation %s is %s", logical, name))
		}
	}
	slices.Sort(renamed)
	lines = append(lines, renamed...)
	if k.Sort != nil {
		lines = append(lines, fmt.Sprintf("pages sort by pageable.%s (%s)", k.Sort.Field, k.Sort.Form))
	} else {
		lines = append(lines, "pages take no explicit sort: "+EffectSort.Describe())
	}
	if k.MaxPageSize > 0 {
		lines = append(lines, fmt.Sprintf("pages of up to %d records", k.MaxPageSize))
	}
	switch {
	case k.ByIDs:
		lines = append(lines, "records are read by id many to a request (qualifier on _id with OR)")
	case k.NoIDQualifier:
		lines = append(lines, "records are read by id one at a time through their own queries (Carerix takes no _id in qualifiers)")
	default:
		lines = append(lines, "records are read by id with a page query each, several to a request (Carerix takes no _id with OR)")
	}
	for _, g := range k.Gaps {
		prefix := "optional: "
		if g.Required {
			prefix = "REQUIRED: "
		}
		lines = append(lines, prefix+g.String())
	}
	return lines
}

// MarshalContract encodes k for storage.
func MarshalContract(k *Contract) ([]byte, error) {
	b, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("encoding the Carerix contract: %w", err)
	}
	return b, nil
}

// UnmarshalContract decodes a stored contract.
func UnmarshalContract(b []byte) (*Contract, error) {
	var k Contract
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("decoding the stored Carerix contract: %w", err)
	}
	k.compile()
	return &k, nil
}

// selection returns the GraphQL selection of what the product reads of a
// logical type, built from the contract.
func (k *Contract) selection(typ string) (string, error) {
	if err := k.selErr[typ]; err != nil {
		return "", err
	}
	s, ok := k.selections[typ]
	if !ok {
		return "", &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("nothing is read of Carerix type %s", typ)}
	}
	return s, nil
}

// selNode is one field of a selection; sub is the selection of a relation.
type selNode struct {
	field string
	sub   []selNode
}

func fields(names ...string) []selNode {
	out := make([]selNode, len(names))
	for i, n := range names {
		out[i] = selNode{field: n}
	}
	return out
}

func rel(field string, sub ...selNode) selNode { return selNode{field: field, sub: sub} }

// readSelections is what the product reads of each type, by logical names.
func readSelections() map[string][]selNode {
	dataNodeRef := fields("_id", "dataNodeID", "value", "exportCode", "tag", "notActive")
	dataNode := append(slices.Clone(dataNodeRef), rel("parentNodes", dataNodeRef...))
	id := fields("_id")
	return map[string][]selNode{
		typeEmployee: append(fields("_id", "employeeID", "firstName", "lastNamePrefix", "lastName", "emailAddress",
			"phoneNumber", "mobileNumber", "city", "stableHash", "deleted", "creationDate", "modificationDate"),
			rel("toStatusNode", dataNode...), rel("owner", id...)),
		typeVacancy: append(fields("_id", "vacancyID", "vacancyNo", "jobTitle", "titleInformation", "stableHash", "deleted",
			"creationDate", "modificationDate"),
			rel("toStatusNode", dataNode...), rel("toCompany", fields("_id", "name")...), rel("owner", id...)),
		typeMatch: append(fields("_id", "matchID", "deleted", "creationDate", "modificationDate"),
			rel("toEmployee", id...), rel("toVacancy", id...), rel("statusInfo", fields("_id", "label")...)),
		typeUser: fields("_id", "userID", "userName", "firstName", "lastName", "lessFormalName", "emailAddress",
			"isActive", "deleted", "stableHash"),
		typeDataNode: dataNode,
		typeToDo: append(fields("_id", "toDoID", "subject", "notes", "todoTypeKey", "deleted", "modificationDate"),
			rel("toEmployee", id...), rel("owner", id...)),
		typeTemplateRef: fields("_id", "templateReferenceID", "name", "code", "targetEntityName", "templateTypeKey",
			"content", "rawContent", "fileName", "isEmbedded", "showInMenu", "isActive", "userRolesString",
			"languagesString", "modificationDate"),
	}
}

// compile renders the selection of every type the product reads. A
// selection that cannot be built (a required field missing) records why.
func (k *Contract) compile() {
	k.selections = map[string]string{}
	k.selErr = map[string]error{}
	for typ, nodes := range readSelections() {
		if k.TypeName(typ) == "" {
			k.selErr[typ] = k.typeMissing(typ)
			continue
		}
		var b strings.Builder
		if err := k.render(&b, typ, nodes); err != nil {
			k.selErr[typ] = err
			continue
		}
		k.selections[typ] = b.String()
	}
}

// typeMissing is the ErrContract error for a type the tenant lacks.
func (k *Contract) typeMissing(typ string) error {
	for _, g := range k.Gaps {
		if g.Type == typ && g.Field == "" {
			return &Error{Kind: ErrContract, Op: "contract", Message: g.String()}
		}
	}
	return &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("Carerix has no type %s", typ)}
}

// render writes the selection of nodes on logical type typ. A field the
// tenant lacks is left out when the product can do without it; a required
// one fails. Fields whose tenant name differs are aliased to the logical
// name, so responses decode into the same structs on every tenant.
func (k *Contract) render(b *strings.Builder, typ string, nodes []selNode) error {
	first := true
	for _, n := range nodes {
		spec, ok := findNeed(typ, n.field)
		if !ok {
			return fmt.Errorf("carerix: no need %s.%s declared", typ, n.field)
		}
		name := k.Field(typ, n.field)
		if name == "" {
			if spec.required {
				return &Error{Kind: ErrContract, Op: "contract", Message: Gap{Type: typ, Field: n.field, Tried: spec.names, Required: true}.String()}
			}
			continue
		}
		if spec.target != "" && k.TypeName(spec.target) == "" {
			continue // the relation's type is missing (optional)
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		if name != n.field {
			b.WriteString(n.field)
			b.WriteString(": ")
		}
		b.WriteString(name)
		if spec.target != "" {
			b.WriteString(" { ")
			if err := k.render(b, spec.target, n.sub); err != nil {
				return err
			}
			b.WriteString(" }")
		}
	}
	return nil
}
