package recrubo

import (
	"context"
	"time"
)

// Embedded pages: Carerix shows our pages in iframes that its document
// templates write. A viewer is proved in one of three ways (see
// embed/README.md): the URL proof, values Carerix computes and the
// template writes (the record's and the viewing user's stableHash),
// checked against Carerix's current data; the key of a tenant-wide page,
// which only that page's own template writes, with the user's proof; or a
// sign-in through the tenant's Carerix realm (OpenID Connect).

// EmbedKind names what an embedded page shows.
type EmbedKind string

// The embedded pages.
const (
	EmbedCandidate EmbedKind = "candidate" // the inbox on a candidate record
	EmbedVacancy   EmbedKind = "vacancy"   // the dashboard on a vacancy record
	EmbedDashboard EmbedKind = "dashboard" // the overall dashboard (no record)
	EmbedVerify    EmbedKind = "verify"    // the admin's verify checklist (no record)
)

// EmbedProof is what a Carerix template wrote into an embed URL:
// /embed/{TenantSlug}/{Kind}[/{RecordID}]?rh={RecordHash}&u={UserID}&uh={UserHash}&lang={Lang}.
type EmbedProof struct {
	TenantSlug string
	Kind       EmbedKind
	RecordID   string // empty for the dashboard and verify pages
	RecordHash string // the record's stableHash
	UserID     string // the viewing Carerix user's id
	UserHash   string // the viewing user's stableHash
	// PageKey is the key a tenant-wide page's own template writes (dk=);
	// a record page's URL does not carry it.
	PageKey string
	Lang    string // the user's language as Carerix wrote it
	// Client identifies who sent the request (its address), to bound the
	// Carerix look-ups unauthenticated requests may cause.
	Client string
}

// ViewerProof is how a viewer was proved.
type ViewerProof string

// The proofs.
const (
	// ProvedByURL: the record's and the user's stableHash in the URL.
	ProvedByURL ViewerProof = "url"
	// ProvedByPageKey: the user's stableHash and the key of a tenant-wide
	// page, written by that page's own template.
	ProvedByPageKey ViewerProof = "page_key"
	// ProvedBySignIn: a sign-in through the tenant's Carerix realm.
	ProvedBySignIn ViewerProof = "signin"
	// ProvedByLink: the admin's signed verify link.
	ProvedByLink ViewerProof = "link"
)

// EmbedViewer is who an authenticated embed request comes from.
type EmbedViewer struct {
	Tenant   *Tenant
	Kind     EmbedKind
	RecordID string
	// User is the viewing Carerix user, as synced or fetched.
	User *Recruiter
	// Lang is the page language, "nl" or "en".
	Lang string
	// Proof is how the viewer was proved.
	Proof ViewerProof
	// Privileged viewers hold one of the tenant's admin or manager roles:
	// they see every conversation and the tenant-wide dashboard; others
	// see their own and unassigned conversations.
	Privileged bool
	// AuthTime is when the viewer was proved; zero means now. A session
	// ends a fixed time after it, however often its token is renewed.
	AuthTime time.Time
}

// EmbedAuthenticator checks an EmbedProof. Any mismatch (unknown tenant,
// record or user; a hash that is not the current one) is EFORBIDDEN with
// no detail, so a forged URL learns nothing.
type EmbedAuthenticator interface {
	Authenticate(ctx context.Context, p EmbedProof) (*EmbedViewer, error)
}
