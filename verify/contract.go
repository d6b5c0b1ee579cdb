package verify

import (
	"context"
	"errors"
	"slices"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// ContractStore is where the checklist finds and keeps the tenant's
// Carerix API contract and the problem that stops its sync.
type ContractStore interface {
	recrubo.ContractStore
}

// checkContract reads the tenant's Carerix API contract again through the
// integration account and stores it: it passes when Carerix offers every
// required need and no problem stops the sync; it names what optional
// parts are missing and what that switches off (args of ok_partial), the
// required field missing (missing), or the query Carerix kept rejecting
// (rejected).
func (c *Checker) checkContract(ctx context.Context, t *recrubo.Tenant, reader Reader, canRead bool) (Item, error) {
	it := Item{ID: CheckContract}
	if !canRead {
		it.Reason = "unknown"
		return it, nil
	}
	k, err := reader.ReadContract(ctx)
	if err != nil {
		var ce *carerix.Error
		if errors.As(err, &ce) && (ce.Kind == carerix.ErrRateLimited || ce.Kind == carerix.ErrServer) {
			it.Reason = "unreachable"
			return it, nil
		}
		return it, err
	}
	if cs, ok := c.Store.(ContractStore); ok {
		// Saving a contract without a gap clears the problem that stopped
		// the sync; the sync's reads must then work again, or the problem
		// (a query Carerix rejects although its schema lists the fields)
		// is recorded anew.
		if err := carerix.SaveContract(ctx, cs, t.ID, k); err != nil {
			return it, err
		}
		if k.Err() == nil {
			if err := probeReads(ctx, reader); errors.Is(err, carerix.ErrContract) {
				problem := carerix.ContractProblem(err)
				if err := cs.SetCarerixContractProblem(ctx, t.ID, problem, c.now()); err != nil {
					return it, err
				}
				it.Reason, it.Args = "rejected", []string{problem}
				return it, nil
			}
		}
	}
	if err := k.Err(); err != nil {
		it.Reason, it.Args = "missing", []string{carerix.ContractProblem(err)}
		return it, nil
	}
	var effects []string
	for _, g := range k.Optional() {
		if g.Effect == carerix.EffectNone {
			continue
		}
		if key := "verify.effect." + string(g.Effect); !slices.Contains(effects, key) {
			effects = append(effects, key)
		}
	}
	it.OK = true
	if len(effects) == 0 {
		it.Reason, it.Args, it.At = "ok", []string{k.ReadAt.UTC().Format("2006-01-02T15:04:05Z07:00")}, k.ReadAt
		return it, nil
	}
	it.Reason, it.ArgKeys = "ok_partial", effects
	return it, nil
}

// probeReads runs one small query of each kind the sync reads.
func probeReads(ctx context.Context, r Reader) error {
	one := carerix.PageRequest{Size: 1}
	if _, err := r.EmployeePage(ctx, one); err != nil {
		return err
	}
	if _, err := r.VacancyPage(ctx, one); err != nil {
		return err
	}
	if _, err := r.MatchPage(ctx, one); err != nil {
		return err
	}
	_, err := r.UserPage(ctx, one)
	return err
}
