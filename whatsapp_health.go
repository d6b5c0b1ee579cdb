package recrubo

import (
	"context"
	"time"
)

// WhatsAppCheck is the outcome of checking a tenant's WhatsApp number and
// access token against the provider.
type WhatsAppCheck struct {
	At time.Time
	// OK is set when the provider accepted the token for the number.
	OK bool
	// Error says why it did not, as the provider put it.
	Error string
	// DisplayPhoneNumber, VerifiedName and QualityRating are what the
	// provider says about the number.
	DisplayPhoneNumber string
	VerifiedName       string
	QualityRating      string
}

// TemplateSync is the outcome of reading a tenant's templates from its
// WhatsApp Business Account.
type TemplateSync struct {
	At    time.Time
	Count int
	Error string
}

// WhatsAppHealth is what is known about a tenant's WhatsApp connection.
type WhatsAppHealth struct {
	TenantID  string
	Check     WhatsAppCheck
	Templates TemplateSync
}

// WhatsAppError is a problem the provider reported about a tenant's
// number or app, not tied to one message (a value-level error).
type WhatsAppError struct {
	TenantID string
	// ID identifies the report, so a redelivery is kept once.
	ID      string
	Code    int
	Title   string
	Message string
	Details string
	// At is when the provider reported it; ReceivedAt when it arrived.
	At         time.Time
	ReceivedAt time.Time
}

// WhatsAppStore keeps the state of tenants' WhatsApp connections, their
// templates as the provider has them, and the provider's reported errors.
type WhatsAppStore interface {
	// WhatsAppHealth returns a zero health (no check, no sync) when
	// nothing is recorded.
	WhatsAppHealth(ctx context.Context, tenantID string) (*WhatsAppHealth, error)
	SaveWhatsAppCheck(ctx context.Context, tenantID string, c WhatsAppCheck) error
	SaveTemplateSync(ctx context.Context, tenantID string, s TemplateSync) error
	// ForgetWhatsApp removes a tenant's WhatsApp health, errors and
	// templates (when its number is disconnected); conversations stay.
	ForgetWhatsApp(ctx context.Context, tenantID string) error

	// AddWhatsAppError records e once per ID; added reports whether it
	// was new.
	AddWhatsAppError(ctx context.Context, e *WhatsAppError) (added bool, err error)
	// WhatsAppErrors returns the errors reported at or after since,
	// newest first, at most limit.
	WhatsAppErrors(ctx context.Context, tenantID string, since time.Time, limit int) ([]*WhatsAppError, error)

	// ReplaceTemplates makes ts the tenant's templates: each stored or
	// updated by (name, language), and stored ones not in ts removed. It
	// reports how many were added, changed and removed.
	ReplaceTemplates(ctx context.Context, tenantID string, ts []*MessageTemplate) (added, changed, removed int, err error)
	// SetTemplateStatus changes the status and reason of the template
	// (name, language); found is false when there is none.
	SetTemplateStatus(ctx context.Context, tenantID, name, language string, status TemplateStatus, reason string, at time.Time) (found bool, err error)
}
