package messaging

import (
	"context"
	"errors"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// recordError records a value-level error of the tenant's number, as the
// provider reported it, for the tenant's health and verify page.
func (s *Service) recordError(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, id string, e whatsapp.ValueError) (string, error) {
	at := e.Time
	if at.IsZero() {
		at = s.now()
	}
	rec := &recrubo.WhatsAppError{TenantID: tenant.ID, ID: id, Code: e.Code, Title: e.Title, Message: e.Message,
		Details: e.Details, At: at, ReceivedAt: s.now()}
	if _, err := tx.AddWhatsAppError(ctx, rec); err != nil {
		return "", err
	}
	s.log.WarnContext(ctx, "WhatsApp reported a problem", "tenant", tenant.ID, "code", e.Code, "title", e.Title,
		"details", e.Details)
	return fmt.Sprintf("error %d recorded", e.Code), nil
}

// providerError turns an error of a Cloud API call into a recrubo error:
// a rejected token is EUNAUTHORIZED, another refusal EINVALID, an
// unreachable provider EUNAVAILABLE; the provider's reason is the message.
func providerError(err error, format string, args ...any) error {
	var apiErr *whatsapp.APIError
	var netErr *whatsapp.NetworkError
	switch {
	case errors.As(err, &apiErr) && apiErr.IsAuth():
		return recrubo.WrapError(recrubo.EUNAUTHORIZED, err, "WhatsApp refused the access token (%s).", apiErr.Reason())
	case errors.As(err, &apiErr) && !apiErr.Retryable():
		return recrubo.WrapError(recrubo.EINVALID, err, "WhatsApp refused: %s.", apiErr.Reason())
	case errors.As(err, &apiErr), errors.As(err, &netErr):
		return recrubo.WrapError(recrubo.EUNAVAILABLE, err, "WhatsApp could not be reached; try again later.")
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
