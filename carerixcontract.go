package recrubo

import (
	"context"
	"time"
)

// CarerixContract is what a tenant's Carerix API offers the product, as
// read from its GraphQL schema: which names it uses for every type, field
// and operation the product needs, and which of those it lacks. The
// Carerix client encodes and decodes Body; the rest of the product reads
// Problem.
type CarerixContract struct {
	TenantID string
	// ReadAt is when the schema was read.
	ReadAt time.Time
	// Body is the resolved contract as the Carerix client encodes it.
	Body []byte
	// Problem, when set, is why the product cannot work with the tenant's
	// Carerix: a required field it lacks, or queries Carerix kept
	// rejecting after the contract was read again. One line an admin can
	// act on; the tenant's sync stops until a read of the contract clears
	// it.
	Problem   string
	ProblemAt time.Time
}

// ContractStore keeps each tenant's Carerix contract.
type ContractStore interface {
	// CarerixContract returns ENOTFOUND when the tenant's contract was
	// never read.
	CarerixContract(ctx context.Context, tenantID string) (*CarerixContract, error)
	// SaveCarerixContract stores a contract read from the tenant,
	// replacing the previous one, Problem included.
	SaveCarerixContract(ctx context.Context, c *CarerixContract) error
	// SetCarerixContractProblem records (or, with "", clears) the problem
	// that stops the tenant, keeping the stored contract.
	SetCarerixContractProblem(ctx context.Context, tenantID, problem string, at time.Time) error
}
