package messaging

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// NewCarerixConnector returns a CarerixConnector building Carerix clients
// from the tenant's integration account (carerix.TenantConfig), one per
// tenant, reused while the settings stay the same (carerix.Pool), each
// keeping the tenant's contract in contracts. configure, when not nil,
// adjusts each configuration (a logger, an HTTP client, a rate limit).
func NewCarerixConnector(configure func(*carerix.Config), contracts recrubo.ContractStore) CarerixConnector {
	pool := carerix.NewPool(configure, contracts)
	return func(_ context.Context, t *recrubo.Tenant) (ActivityWriter, error) {
		c, err := pool.Client(t)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return c, nil
	}
}
