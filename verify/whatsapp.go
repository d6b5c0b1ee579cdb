package verify

import (
	"context"
	"strconv"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// CheckWhatsApp is the id of the WhatsApp check: the number connected,
// its token accepted, a signed delivery received, templates synced, and
// no problem reported by WhatsApp lately.
const CheckWhatsApp = "whatsapp"

// DefaultWhatsAppErrorWindow is how recent a problem WhatsApp reported
// about the number must be to fail the check.
const DefaultWhatsAppErrorWindow = 24 * time.Hour

// WhatsAppNumberChecker asks the provider about a tenant's number and
// records the answer (messaging.Service).
type WhatsAppNumberChecker interface {
	CheckWhatsApp(ctx context.Context, t *recrubo.Tenant) (recrubo.WhatsAppCheck, error)
}

// WhatsAppHealthStore reads what is known about a tenant's WhatsApp
// connection.
type WhatsAppHealthStore interface {
	WhatsAppHealth(ctx context.Context, tenantID string) (*recrubo.WhatsAppHealth, error)
	WhatsAppErrors(ctx context.Context, tenantID string, since time.Time, limit int) ([]*recrubo.WhatsAppError, error)
	LastEventAt(ctx context.Context, tenantID string, source recrubo.EventSource) (time.Time, error)
}

// WhatsApp runs the WhatsApp check of the checklist.
type WhatsApp struct {
	Number WhatsAppNumberChecker
	Store  WhatsAppHealthStore
	// ErrorWindow is how recent a reported problem fails the check;
	// DefaultWhatsAppErrorWindow when zero.
	ErrorWindow time.Duration
}

// Check runs the WhatsApp check for t at now. The reasons, in the order
// they are looked at: not_connected, token (the token was refused; Args:
// the provider's reason), unreachable, reported (a value-level error
// within ErrorWindow; Args: code, title, time), no_templates (never
// synced, or the last sync failed; Args: the error), no_delivery (no
// signed webhook received yet), ok (Args: number, verified name,
// templates, last delivery).
func (w *WhatsApp) Check(ctx context.Context, t *recrubo.Tenant, now time.Time) (Item, error) {
	it := Item{ID: CheckWhatsApp}
	if !t.WhatsApp.Enabled() || t.WhatsApp.AccessToken.IsZero() {
		it.Reason = "not_connected"
		return it, nil
	}
	check, err := w.Number.CheckWhatsApp(ctx, t)
	switch code := recrubo.ErrorCode(err); {
	case err == nil:
	case code == recrubo.EUNAUTHORIZED || code == recrubo.EINVALID:
		it.Reason, it.Args = "token", []string{recrubo.ErrorMessage(err)}
		return it, nil
	case code == recrubo.EUNAVAILABLE:
		it.Reason = "unreachable"
		return it, nil
	default:
		return it, err
	}
	window := w.ErrorWindow
	if window <= 0 {
		window = DefaultWhatsAppErrorWindow
	}
	errs, err := w.Store.WhatsAppErrors(ctx, t.ID, now.Add(-window), 1)
	if err != nil {
		return it, err
	}
	if len(errs) > 0 {
		e := errs[0]
		title := e.Title
		if e.Details != "" {
			title += ": " + e.Details
		}
		it.Reason, it.At = "reported", e.At
		it.Args = []string{strconv.Itoa(e.Code), title, e.At.UTC().Format(time.RFC3339)}
		return it, nil
	}
	h, err := w.Store.WhatsAppHealth(ctx, t.ID)
	if err != nil {
		return it, err
	}
	if h.Templates.At.IsZero() || h.Templates.Error != "" {
		it.Reason, it.Args = "no_templates", []string{h.Templates.Error}
		return it, nil
	}
	last, err := w.Store.LastEventAt(ctx, t.ID, recrubo.SourceWhatsApp)
	if err != nil {
		return it, err
	}
	if last.IsZero() {
		it.Reason = "no_delivery"
		return it, nil
	}
	it.OK, it.Reason, it.At = true, "ok", last
	it.Args = []string{check.DisplayPhoneNumber, check.VerifiedName, strconv.Itoa(h.Templates.Count), last.UTC().Format(time.RFC3339)}
	return it, nil
}
