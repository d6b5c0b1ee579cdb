package recrubo

import (
	"context"
	"strings"
	"time"
)

// The synced mirror of a tenant's Carerix data: only what the tenant's status
// filters put in scope, converted from Carerix's wire format by sync.

// Candidate is a Carerix CREmployee in scope for a tenant.
type Candidate struct {
	TenantID       string
	ID             string // Carerix _id, opaque
	FirstName      string
	LastNamePrefix string // "van der"
	LastName       string
	Email          string
	Phone          string // as typed in Carerix
	Mobile         string // as typed in Carerix
	PhoneE164      string // the number we message, normalised; empty if none is usable
	City           string
	StatusID       string // data node id of toStatusNode
	StatusLabel    string
	OwnerID        string // recruiter (CRUser) id
	StableHash     string // Carerix's stableHash; changes whenever the record changes
	ModifiedAt     time.Time
	SyncedAt       time.Time
}

// FullName returns "First van der Last".
func (c *Candidate) FullName() string {
	return joinName(c.FirstName, c.LastNamePrefix, c.LastName)
}

// Vacancy is a Carerix CRVacancy in scope for a tenant.
type Vacancy struct {
	TenantID    string
	ID          string
	Title       string
	CompanyName string
	StatusID    string
	StatusLabel string
	OwnerID     string
	StableHash  string
	ModifiedAt  time.Time
	SyncedAt    time.Time
}

// Match links a candidate to a vacancy (a Carerix CRMatch) with its stage.
// A match is in scope when both its candidate and its vacancy are, so its
// ModifiedAt is the newest of the three records' modification times: when
// the candidate or vacancy leaves scope and comes back, the match's newer
// effective time brings it back past its tombstone.
type Match struct {
	TenantID    string
	ID          string
	CandidateID string
	VacancyID   string
	Stage       string // CRStatusInfo display name
	ModifiedAt  time.Time
	SyncedAt    time.Time
}

// Recruiter is a Carerix user (CRUser) who owns candidates or vacancies.
type Recruiter struct {
	TenantID  string
	ID        string
	UserName  string
	FirstName string
	LastName  string
	Email     string
	Language  string
	Active    bool
	// StableHash is the user's Carerix stableHash; the embed
	// authentication compares it with the one a template writes.
	StableHash string
	ModifiedAt time.Time
	SyncedAt   time.Time
}

// FullName returns "First Last", or the user name when both are empty.
func (r *Recruiter) FullName() string {
	if n := joinName(r.FirstName, "", r.LastName); n != "" {
		return n
	}
	return r.UserName
}

// StatusKind says what a status data node is for.
type StatusKind string

// The status kinds synced.
const (
	StatusCandidate StatusKind = "candidate" // node type Kandidaat-status
	StatusVacancy   StatusKind = "vacancy"   // node type Vacature-status
)

// StatusNode is a Carerix status data node (CRDataNode) of a tenant.
type StatusNode struct {
	TenantID   string
	Kind       StatusKind
	ID         string
	Value      string // the label, e.g. "Actief"
	ExportCode string
	NotActive  bool
	ParentTags []string // e.g. CandidateActiveTag
}

// Entity names the mirrored record types, as used in events and checkpoints.
type Entity string

// The mirrored entities.
const (
	EntityCandidate Entity = "candidate"
	EntityVacancy   Entity = "vacancy"
	EntityMatch     Entity = "match"
	EntityRecruiter Entity = "recruiter"
)

// ListOptions page through a listing by key: items after AfterID, at most
// Limit of them (0 means the store's default).
type ListOptions struct {
	AfterID string
	Limit   int
	// Query filters by a case-insensitive substring of the name, email or phone.
	Query string
}

// MirrorStore keeps the synced mirror. Every upsert carries the record's
// Carerix modification time: an older state never overwrites a newer one, and
// a removal leaves a tombstone so an older page cannot bring a record back.
type MirrorStore interface {
	// UpsertCandidate stores c unless the stored copy, or a tombstone, is
	// newer. It reports whether c was applied.
	UpsertCandidate(ctx context.Context, c *Candidate) (bool, error)
	// RemoveCandidate removes a candidate from the mirror as of asOf (its
	// Carerix modification time, or when a delete was seen) and leaves a
	// tombstone. Reports whether a stored record was removed.
	RemoveCandidate(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error)
	// Candidate returns ENOTFOUND if the candidate is not in the mirror.
	Candidate(ctx context.Context, tenantID, id string) (*Candidate, error)
	Candidates(ctx context.Context, tenantID string, opts ListOptions) ([]*Candidate, error)
	CandidatesByPhone(ctx context.Context, tenantID, e164 string) ([]*Candidate, error)
	CountCandidates(ctx context.Context, tenantID string) (int64, error)
	// CandidateIDs streams every mirrored candidate id in order (for delete scans).
	CandidateIDs(ctx context.Context, tenantID string, fn func(id string) error) error

	UpsertVacancy(ctx context.Context, v *Vacancy) (bool, error)
	RemoveVacancy(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error)
	Vacancy(ctx context.Context, tenantID, id string) (*Vacancy, error)
	Vacancies(ctx context.Context, tenantID string, opts ListOptions) ([]*Vacancy, error)
	CountVacancies(ctx context.Context, tenantID string) (int64, error)
	VacancyIDs(ctx context.Context, tenantID string, fn func(id string) error) error

	UpsertMatch(ctx context.Context, m *Match) (bool, error)
	RemoveMatch(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error)
	// Match returns ENOTFOUND if the match is not in the mirror.
	Match(ctx context.Context, tenantID, id string) (*Match, error)
	MatchesByCandidate(ctx context.Context, tenantID, candidateID string) ([]*Match, error)
	MatchesByVacancy(ctx context.Context, tenantID, vacancyID string) ([]*Match, error)
	CountMatches(ctx context.Context, tenantID string) (int64, error)
	MatchIDs(ctx context.Context, tenantID string, fn func(id string) error) error

	UpsertRecruiter(ctx context.Context, r *Recruiter) (bool, error)
	Recruiter(ctx context.Context, tenantID, id string) (*Recruiter, error)
	Recruiters(ctx context.Context, tenantID string) ([]*Recruiter, error)
	// OwnerIDs lists, in order, the distinct owners of the tenant's
	// mirrored candidates and vacancies: the recruiters to sync.
	OwnerIDs(ctx context.Context, tenantID string) ([]string, error)
	// ForgetTombstone drops the tombstone of one candidate, vacancy or
	// match when it is not newer than asOf, so a state exactly as new as
	// the removal may be stored: Carerix stamps whole seconds, so a record
	// can leave scope and come back within one.
	ForgetTombstone(ctx context.Context, tenantID string, entity Entity, id string, asOf time.Time) error
	// ForgetTombstones drops the tenant's tombstones, so records that left
	// the mirror may come back unchanged (after the status filters change).
	ForgetTombstones(ctx context.Context, tenantID string) error

	// ReplaceStatusNodes sets the tenant's status nodes of one kind.
	ReplaceStatusNodes(ctx context.Context, tenantID string, kind StatusKind, nodes []*StatusNode) error
	StatusNodes(ctx context.Context, tenantID string, kind StatusKind) ([]*StatusNode, error)
}

func joinName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}
