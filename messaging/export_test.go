package messaging

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Accept records that the provider accepted attempt of message id as
// providerID, as the send job does when the API answers.
func Accept(ctx context.Context, s *Service, t *recrubo.Tenant, id string, attempt int, providerID string) error {
	return s.accepted(ctx, t, id, attempt, providerID)
}
