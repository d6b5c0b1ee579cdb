package carerixsync

import (
	"context"
	"errors"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Reader is what sync needs from Carerix; *carerix.Client implements it.
type Reader interface {
	DataNodeListBy(ctx context.Context, nodeType, tag string) ([]carerix.DataNode, error)
	EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error)
	VacancyPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Vacancy], error)
	MatchPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Match], error)
	UserPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.User], error)
	// Employee, Vacancy, Match and User read one record by its own query
	// (crX(_id)); a missing one is carerix.ErrNotFound.
	Employee(ctx context.Context, id string) (*carerix.Employee, error)
	Vacancy(ctx context.Context, id string) (*carerix.Vacancy, error)
	Match(ctx context.Context, id string) (*carerix.Match, error)
	User(ctx context.Context, id string) (*carerix.User, error)
	// EmployeePages, VacancyPages, MatchPages and UserPages read several
	// pages in one request (carerix.PagesFunc); Carerix may refuse a
	// request for its size where it takes each page alone.
	EmployeePages(ctx context.Context, rs []carerix.PageRequest) ([]*carerix.Page[carerix.Employee], error)
	VacancyPages(ctx context.Context, rs []carerix.PageRequest) ([]*carerix.Page[carerix.Vacancy], error)
	MatchPages(ctx context.Context, rs []carerix.PageRequest) ([]*carerix.Page[carerix.Match], error)
	UserPages(ctx context.Context, rs []carerix.PageRequest) ([]*carerix.Page[carerix.User], error)
	// Contract returns the tenant's Carerix contract, which names the
	// fields qualifiers filter on and says whether pages can be sorted.
	Contract(ctx context.Context) (*carerix.Contract, error)
	// ReadContract reads the contract from Carerix again.
	ReadContract(ctx context.Context) (*carerix.Contract, error)
}

var _ Reader = (*carerix.Client)(nil)

// Connector returns the Carerix reader of a tenant.
type Connector func(ctx context.Context, t *recrubo.Tenant) (Reader, error)

// NewClientConnector returns a Connector building clients from the
// tenant's settings (carerix.TenantConfig), one per tenant, reused while
// the settings stay the same (carerix.Pool), each keeping the tenant's
// contract in contracts. configure, when not nil, adjusts each
// configuration (an HTTP client, a logger, a rate limit).
func NewClientConnector(configure func(*carerix.Config), contracts recrubo.ContractStore) Connector {
	pool := carerix.NewPool(configure, contracts)
	return func(_ context.Context, t *recrubo.Tenant) (Reader, error) {
		c, err := pool.Client(t)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return c, nil
	}
}

// isAccessError reports whether err means our Carerix credentials or scopes
// are wrong, or the tenant's Carerix lacks what the product needs (its
// contract): retrying cannot help, a person must act.
func isAccessError(err error) bool {
	return errors.Is(err, carerix.ErrUnauthenticated) || errors.Is(err, carerix.ErrMissingScope) ||
		errors.Is(err, carerix.ErrForbidden) || errors.Is(err, carerix.ErrContract)
}

// accessMessage is the user-safe explanation of an access error.
func accessMessage(err error) string {
	var ce *carerix.Error
	switch {
	case errors.Is(err, carerix.ErrContract):
		return "Carerix API contract: " + carerix.ContractProblem(err)
	case errors.Is(err, carerix.ErrMissingScope):
		if errors.As(err, &ce) && ce.Scope != "" {
			return fmt.Sprintf("Carerix refused access: the integration account lacks scope %s.", ce.Scope)
		}
		return "Carerix refused access: the integration account lacks a required scope."
	case errors.Is(err, carerix.ErrForbidden):
		return "Carerix refused access to the data the sync reads (forbidden)."
	default:
		return "Carerix rejected the integration account's credentials (client id or secret)."
	}
}
