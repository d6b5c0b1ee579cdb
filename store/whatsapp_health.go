package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// WhatsAppHealth returns what is recorded about a tenant's WhatsApp
// connection; zero when nothing is.
func (q *queries) WhatsAppHealth(ctx context.Context, tenantID string) (*recrubo.WhatsAppHealth, error) {
	h := recrubo.WhatsAppHealth{TenantID: tenantID}
	var checked, synced int64
	err := q.q.queryRow(ctx, `SELECT checked_at, check_ok, check_error, display_phone, verified_name, quality_rating,
            templates_synced_at, templates_count, templates_error
        FROM whatsapp_health WHERE tenant_id = $1`, tenantID).Scan(&checked, &h.Check.OK, &h.Check.Error,
		&h.Check.DisplayPhoneNumber, &h.Check.VerifiedName, &h.Check.QualityRating, &synced, &h.Templates.Count,
		&h.Templates.Error)
	switch {
	case isNoRows(err):
		return &h, nil
	case err != nil:
		return nil, fmt.Errorf("reading the WhatsApp health of %s: %w", tenantID, err)
	}
	h.Check.At, h.Templates.At = timeMicro(checked), timeMicro(synced)
	return &h, nil
}

// SaveWhatsAppCheck records the outcome of checking the number and token.
func (q *queries) SaveWhatsAppCheck(ctx context.Context, tenantID string, c recrubo.WhatsAppCheck) error {
	_, err := q.q.exec(ctx, `INSERT INTO whatsapp_health (tenant_id, checked_at, check_ok, check_error, display_phone,
            verified_name, quality_rating) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (tenant_id) DO UPDATE SET checked_at = excluded.checked_at, check_ok = excluded.check_ok,
            check_error = excluded.check_error, display_phone = excluded.display_phone,
            verified_name = excluded.verified_name, quality_rating = excluded.quality_rating`,
		tenantID, q.stamp(c.At), c.OK, c.Error, c.DisplayPhoneNumber, c.VerifiedName, c.QualityRating)
	if err != nil {
		return fmt.Errorf("recording the WhatsApp check of %s: %w", tenantID, fkNotFound(err, tenantID))
	}
	q.touch(tenantID, ChangeWhatsApp, tenantID)
	return nil
}

// SaveTemplateSync records the outcome of a template sync.
func (q *queries) SaveTemplateSync(ctx context.Context, tenantID string, s recrubo.TemplateSync) error {
	_, err := q.q.exec(ctx, `INSERT INTO whatsapp_health (tenant_id, templates_synced_at, templates_count, templates_error)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id) DO UPDATE SET templates_synced_at = excluded.templates_synced_at,
            templates_count = excluded.templates_count, templates_error = excluded.templates_error`,
		tenantID, q.stamp(s.At), s.Count, s.Error)
	if err != nil {
		return fmt.Errorf("recording the template sync of %s: %w", tenantID, fkNotFound(err, tenantID))
	}
	q.touch(tenantID, ChangeWhatsApp, tenantID)
	return nil
}

// ForgetWhatsApp removes a tenant's WhatsApp health, errors and templates.
func (q *queries) ForgetWhatsApp(ctx context.Context, tenantID string) error {
	for _, table := range []string{"whatsapp_health", "whatsapp_errors", "message_templates"} {
		if _, err := q.q.exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("forgetting %s of %s: %w", table, tenantID, err)
		}
	}
	q.touch(tenantID, ChangeWhatsApp, tenantID)
	q.touch(tenantID, ChangeTemplate, "")
	return nil
}

// AddWhatsAppError records a value-level error once per id.
func (q *queries) AddWhatsAppError(ctx context.Context, e *recrubo.WhatsAppError) (bool, error) {
	if e.TenantID == "" || e.ID == "" {
		return false, recrubo.Errorf(recrubo.EINVALID, "A WhatsApp error needs a tenant and an id.")
	}
	n, err := q.q.exec(ctx, `INSERT INTO whatsapp_errors (tenant_id, id, code, title, message, details, at, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		e.TenantID, e.ID, e.Code, e.Title, e.Message, e.Details, q.stamp(e.At), q.stamp(e.ReceivedAt))
	if err != nil {
		return false, fmt.Errorf("recording a WhatsApp error: %w", fkNotFound(err, e.TenantID))
	}
	if n == 0 {
		return false, nil
	}
	q.touch(e.TenantID, ChangeWhatsApp, e.ID)
	return true, nil
}

// WhatsAppErrors returns the errors reported at or after since, newest
// first.
func (q *queries) WhatsAppErrors(ctx context.Context, tenantID string, since time.Time, limit int) ([]*recrubo.WhatsAppError, error) {
	es, err := collect(ctx, q.q, func(r rows) (*recrubo.WhatsAppError, error) {
		e := recrubo.WhatsAppError{TenantID: tenantID}
		var at, received int64
		if err := r.Scan(&e.ID, &e.Code, &e.Title, &e.Message, &e.Details, &at, &received); err != nil {
			return nil, err
		}
		e.At, e.ReceivedAt = timeMicro(at), timeMicro(received)
		return &e, nil
	}, `SELECT id, code, title, message, details, at, received_at FROM whatsapp_errors
        WHERE tenant_id = $1 AND at >= $2 ORDER BY at DESC, id LIMIT $3`, tenantID, microTime(since), listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing WhatsApp errors: %w", err)
	}
	return es, nil
}
