package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// contractRetry is how long a tenant stopped by a contract problem waits
// before its contract is read again to see whether it was mended.
const contractRetry = 5 * time.Minute

// reader connects to the tenant's Carerix and checks its contract. A
// tenant whose Carerix lacks what the product needs (a required field,
// or queries Carerix kept rejecting after the contract was read again) is
// not synced: the problem, one line naming the Carerix type, the field and
// the names tried, is returned as an ErrContract error. Every
// contractRetry the contract is read again, which clears the problem once
// the tenant's schema is mended.
func (s *Service) reader(ctx context.Context, t *recrubo.Tenant) (Reader, *carerix.Contract, error) {
	r, err := s.connect(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	k, err := r.Contract(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Carerix API contract: %w", err)
	}
	stored, err := s.store.CarerixContract(ctx, t.ID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, nil, err
	}
	if k.Err() == nil && (stored == nil || stored.Problem == "") {
		return r, k, nil
	}
	if stored != nil && stored.Problem != "" && s.now().Sub(stored.ProblemAt) < contractRetry {
		return nil, nil, &carerix.Error{Kind: carerix.ErrContract, Op: "contract", Message: stored.Problem}
	}
	if k, err = r.ReadContract(ctx); err != nil {
		return nil, nil, fmt.Errorf("reading the Carerix API contract again: %w", err)
	}
	if err := k.Err(); err != nil {
		return nil, nil, err
	}
	return r, k, nil
}

// noteContractProblem records an ErrContract failure on the tenant's
// contract, which stops its sync until the contract is read again
// without it (see reader).
func (s *Service) noteContractProblem(ctx context.Context, tenantID string, err error) {
	if !errors.Is(err, carerix.ErrContract) {
		return
	}
	if serr := s.store.SetCarerixContractProblem(ctx, tenantID, carerix.ContractProblem(err), s.now()); serr != nil {
		s.log.WarnContext(ctx, "recording the Carerix contract problem", "tenant", tenantID, "err", serr)
	}
}
