package carerixemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// Sentinel errors of the data API. Returned errors wrap one of them.
var (
	// ErrNotFound means the record does not exist (or is soft-deleted
	// where only live records qualify).
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input was rejected.
	ErrInvalid = errors.New("invalid input")
)

// notFound returns an error wrapping ErrNotFound.
func notFound(kind, id string) error {
	return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
}

// invalid returns an error wrapping ErrInvalid.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Publisher receives change events; *webhooks.Service implements it.
type Publisher interface {
	Publish(ctx context.Context, ev webhooks.Event)
}

// Store is the in-memory data of one Carerix tenant. All methods are safe
// for concurrent use. Every create, update and delete of candidates,
// vacancies, matches, users, activities, companies, placements and
// publications publishes a webhook event.
type Store struct {
	tenant    string
	now       func() time.Time
	publisher Publisher
	rules     profileRules
	// fields are the fields of each object type the served schema has,
	// which bound qualifier keys and sort properties; nil allows every
	// attribute. Replaced whole when the served schema changes
	// (Server.RemoveFields).
	fields atomic.Pointer[fieldSet]

	mu          sync.RWMutex
	employees   table[Employee]
	vacancies   table[Vacancy]
	matches     table[Match]
	users       table[User]
	roles       table[UserRole]
	nodes       table[DataNode]
	nodeTypes   []string // index+1 is the node type _id
	statusInfos table[StatusInfo]
	companies   table[Company]
	templates   table[TemplateReference]
	todos       table[ToDo]
	jobs        table[Job]
	pubs        table[Publication]
}

// newStore returns a store with the default data nodes and match stages,
// following the rules of a profile.
func newStore(tenant string, now func() time.Time, pub Publisher, englishLabels bool, rules profileRules) *Store {
	s := &Store{
		tenant:      tenant,
		now:         now,
		publisher:   pub,
		rules:       rules,
		employees:   newTable[Employee](),
		vacancies:   newTable[Vacancy](),
		matches:     newTable[Match](),
		users:       newTable[User](),
		roles:       newTable[UserRole](),
		nodes:       newTable[DataNode](),
		statusInfos: newTable[StatusInfo](),
		companies:   newTable[Company](),
		templates:   newTable[TemplateReference](),
		todos:       newTable[ToDo](),
		jobs:        newTable[Job](),
		pubs:        newTable[Publication](),
	}
	s.installDefaults(englishLabels)
	return s
}

// Tenant returns the tenant (application) name.
func (s *Store) Tenant() string { return s.tenant }

// stamp returns the current time as Carerix stores it: whole seconds,
// Europe/Amsterdam.
func (s *Store) stamp() time.Time {
	return s.now().Truncate(time.Second).In(amsterdam)
}

// emit publishes a change event of a record of kind (KindEmployee, ...).
// It must be called without s.mu held.
func (s *Store) emit(ctx context.Context, kind, action, id string, changed []string, at time.Time) {
	if s.publisher == nil {
		return
	}
	s.publisher.Publish(ctx, webhooks.Event{
		Entity:        s.eventEntity(kind),
		Action:        action,
		EntityID:      id,
		ChangedFields: s.eventFields(kind, changed),
		Time:          at,
		Tenant:        s.tenant,
	})
}

// EventType returns the webhook event type this tenant sends for an
// action on a record of kind: "cremployee:updated" as documented,
// "CREmployee:updated" as observed, where activities are "CRTodo".
func (s *Store) EventType(kind, action string) string {
	return s.eventEntity(kind) + ":" + action
}

// eventEntity spells the entity part of an event type.
func (s *Store) eventEntity(kind string) string {
	if !s.rules.camelCaseEvents {
		return strings.ToLower(kind)
	}
	if kind == KindToDo {
		return "CRTodo"
	}
	return kind
}

// eventFields names changed attributes as the profile's schema does
// (lowercase): an activity's notes are "message" where the schema says so.
func (s *Store) eventFields(kind string, changed []string) []string {
	if kind != KindToDo || !s.hasField(KindToDo, "message") || s.hasField(KindToDo, "notes") {
		return changed
	}
	out := slices.Clone(changed)
	for i, f := range out {
		if f == "notes" {
			out[i] = "message"
		}
	}
	return out
}

// hasField reports whether the served schema's type kind has field name
// (true for everything when the store has no schema).
func (s *Store) hasField(kind, name string) bool {
	fields := s.fields.Load()
	if fields == nil {
		return true
	}
	f, typed := (*fields)[kind]
	return !typed || f[name]
}

// hashOf returns the stableHash of a record: hex SHA-256 over its JSON
// encoding (which includes modificationDate) and its revision, so every
// change produces a new hash even when the clock stands still.
func hashOf(kind string, rev int, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// All record types are plain data; Marshal cannot fail on them.
		panic(fmt.Sprintf("hashing %s: %v", kind, err))
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", kind, rev)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Counts reports how many records the store holds.
type Counts struct {
	Employees        int `json:"employees"`
	DeletedEmployees int `json:"deletedEmployees"`
	Vacancies        int `json:"vacancies"`
	DeletedVacancies int `json:"deletedVacancies"`
	Matches          int `json:"matches"`
	DeletedMatches   int `json:"deletedMatches"`
	Users            int `json:"users"`
	DataNodes        int `json:"dataNodes"`
	Templates        int `json:"templates"`
	Companies        int `json:"companies"`
	Jobs             int `json:"jobs"`
	Publications     int `json:"publications"`
}

// Counts returns the number of records per entity; live and soft-deleted
// records are counted separately.
func (s *Store) Counts() Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var c Counts
	for _, e := range s.employees.all() {
		if e.Deleted {
			c.DeletedEmployees++
		} else {
			c.Employees++
		}
	}
	for _, v := range s.vacancies.all() {
		if v.Deleted {
			c.DeletedVacancies++
		} else {
			c.Vacancies++
		}
	}
	for _, m := range s.matches.all() {
		if m.Deleted {
			c.DeletedMatches++
		} else {
			c.Matches++
		}
	}
	c.Users = s.users.len()
	c.DataNodes = s.nodes.len()
	c.Templates = s.templates.len()
	c.Companies = s.companies.len()
	c.Jobs = s.jobs.len()
	c.Publications = s.pubs.len()
	return c
}

// setText applies an optional text update: nil leaves *dst alone, "" sets
// null, anything else sets the value. It appends name to changed when the
// value differs.
func setText(dst **string, src *string, name string, changed *[]string) {
	if src == nil {
		return
	}
	var nv *string
	if *src != "" {
		v := *src
		nv = &v
	}
	if textEqual(*dst, nv) {
		return
	}
	*dst = nv
	*changed = append(*changed, name)
}

// setFlag applies an optional boolean update.
func setFlag(dst *bool, src *bool, name string, changed *[]string) {
	if src == nil || *dst == *src {
		return
	}
	*dst = *src
	*changed = append(*changed, name)
}

// setRef applies a resolved relation key.
func setRef(dst *int, key int, name string, changed *[]string) {
	if *dst == key {
		return
	}
	*dst = key
	*changed = append(*changed, name)
}

func textEqual(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// deref returns *p or "".
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// cloneText copies an optional string so snapshots share nothing.
func cloneText(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
