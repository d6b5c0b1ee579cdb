package carerixemu

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Profile names a form of the Carerix API the emulator serves, so the
// product can be tested against each form a tenant may take. doc.go
// ("Profiles") lists every difference and its source.
type Profile string

// The profiles.
const (
	// ProfileDocs is Carerix as its documentation reads (carerix-api.md):
	// stableHash on records, CRStatusInfo.statusName, CRToDo.todoTypeKey
	// and notes, numeric match _ids, lowercase event types, tokens of an
	// hour, pages of at most 100 in key order without sort. The default.
	ProfileDocs Profile = "docs"
	// ProfileObserved is Carerix as public code run against real tenants
	// shows it (carerix-evidence.md): no stableHash in GraphQL,
	// CRStatusInfo.displayName/name/label, CRToDo.toDoTypeKey/subject/
	// message, composite match _ids ("14.9021"), CamelCase event types
	// (CREmployee:updated, CRTodo:updated), tokens of 300 s, pages of up to
	// 500 with pageable.sort and in _id text order without it, and one
	// global webhook signing key.
	ProfileObserved Profile = "observed"
	// ProfileHostile is ProfileObserved with a field the product requires
	// missing: CREmployee.toStatusNode (and CREmployeeRequest.toStatusNode)
	// is not in the schema, nor usable in qualifiers.
	ProfileHostile Profile = "hostile"
)

// Defaults of the observed and hostile profiles.
const (
	// ObservedTokenLifetime is the access-token lifetime seen on tenants.
	ObservedTokenLifetime = 300 * time.Second
	// ObservedMaxPageSize is the largest page size clients ran with.
	ObservedMaxPageSize = 500
)

// Profiles returns every profile, the default first.
func Profiles() []Profile { return []Profile{ProfileDocs, ProfileObserved, ProfileHostile} }

// ParseProfile reads a profile name; "" is ProfileDocs.
func ParseProfile(s string) (Profile, error) {
	p := Profile(strings.ToLower(strings.TrimSpace(s)))
	if p == "" {
		return ProfileDocs, nil
	}
	if !slices.Contains(Profiles(), p) {
		return "", fmt.Errorf("unknown Carerix profile %q (want docs, observed or hostile)", s)
	}
	return p, nil
}

// String returns the profile name.
func (p Profile) String() string { return string(p) }

// profileRules is what a profile changes against the union schema and the
// emulator's behaviour.
type profileRules struct {
	profile Profile
	// remove lists the definitions ("Type") and fields ("Type.field") of
	// schema.graphql the profile does not serve.
	remove []string
	// compositeMatchIDs makes match _ids "<employeeID>.<matchID>".
	compositeMatchIDs bool
	// camelCaseEvents spells event types with the entity name
	// ("CREmployee:updated", "CRTodo:updated") instead of lowercase.
	camelCaseEvents bool
	// orderByIDText orders pages without an explicit sort by _id as text
	// instead of by the numeric key.
	orderByIDText bool
	// globalSignatureKey signs every delivery with the tenant's key served
	// at /webhooks/v1/signature-key instead of per-application keys.
	globalSignatureKey bool
	tokenLifetime      time.Duration
	maxPageSize        int
}

// docsRemovals are the union schema's fields the documentation does not
// show: the observed names, and pageable.sort.
var docsRemovals = []string{
	"Pageable.sort", "SortOrder", "SortDirection",
	"CRStatusInfo.name", "CRStatusInfo.label",
	"CRToDo.message", "CRToDo.toDoTypeKey",
	"CRToDoRequest.message", "CRToDoRequest.toDoTypeKey",
}

// observedRemovals are the documented names no tenant was seen to have.
var observedRemovals = []string{
	"CREmployee.stableHash", "CRVacancy.stableHash", "CRMatch.stableHash",
	"CRUser.stableHash", "CRDataNode.stableHash",
	"CRStatusInfo.statusName", "Query.crStatusInfoList",
	"CRToDo.notes", "CRToDo.todoTypeKey",
	"CRToDoRequest.notes", "CRToDoRequest.todoTypeKey",
}

// hostileRemovals are removed on top of observedRemovals.
var hostileRemovals = []string{"CREmployee.toStatusNode", "CREmployeeRequest.toStatusNode"}

// rulesFor returns the rules of a known profile.
func rulesFor(p Profile) profileRules {
	switch p {
	case ProfileObserved, ProfileHostile:
		r := profileRules{profile: p, remove: slices.Clone(observedRemovals),
			compositeMatchIDs: true, camelCaseEvents: true, orderByIDText: true, globalSignatureKey: true,
			tokenLifetime: ObservedTokenLifetime, maxPageSize: ObservedMaxPageSize}
		if p == ProfileHostile {
			r.remove = append(r.remove, hostileRemovals...)
		}
		return r
	}
	return profileRules{profile: ProfileDocs, remove: slices.Clone(docsRemovals),
		tokenLifetime: DefaultTokenLifetime, maxPageSize: DefaultMaxPageSize}
}

// SchemaFor returns the GraphQL SDL a profile serves (before
// Options.RemoveFields).
func SchemaFor(p Profile) (string, error) {
	p, err := ParseProfile(string(p))
	if err != nil {
		return "", err
	}
	return editSDL(schemaSDL, rulesFor(p).remove)
}

// checkFieldNames checks that every entry names a field as "Type.field".
func checkFieldNames(fields []string) error {
	for _, f := range fields {
		typ, field, ok := strings.Cut(f, ".")
		if !ok || typ == "" || field == "" || strings.Contains(field, ".") {
			return fmt.Errorf("RemoveFields entry %q: want \"Type.field\"", f)
		}
	}
	return nil
}

// servedSDL derives the schema a server serves: the profile's, without
// the extra fields of Options.RemoveFields ("Type.field" each).
func servedSDL(r profileRules, extra []string) (string, error) {
	if err := checkFieldNames(extra); err != nil {
		return "", err
	}
	sdl, err := editSDL(schemaSDL, r.remove)
	if err != nil {
		return "", err
	}
	return editSDL(sdl, extra)
}
