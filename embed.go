package recrubo

import "context"

// Embedded pages: Carerix shows our pages in iframes that its document
// templates write. A template cannot sign anything, but it can write values
// Carerix computes: the record's id and stableHash and the viewing user's id
// and stableHash. Together they are the proof an EmbedAuthenticator checks
// against Carerix's current data; a stableHash changes whenever its record
// changes, so a leaked URL stops working.

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
	Lang       string // the user's language as Carerix wrote it
}

// EmbedViewer is who an authenticated embed request comes from.
type EmbedViewer struct {
	Tenant   *Tenant
	Kind     EmbedKind
	RecordID string
	// User is the viewing Carerix user, as synced or fetched.
	User *Recruiter
	// Lang is the page language, "nl" or "en".
	Lang string
}

// EmbedAuthenticator checks an EmbedProof. Any mismatch (unknown tenant,
// record or user; a hash that is not the current one) is EFORBIDDEN with
// no detail, so a forged URL learns nothing.
type EmbedAuthenticator interface {
	Authenticate(ctx context.Context, p EmbedProof) (*EmbedViewer, error)
}
