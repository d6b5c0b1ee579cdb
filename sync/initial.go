package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Carerix node types of the statuses tenants filter on.
const (
	nodeTypeCandidate = "Kandidaat-status"
	nodeTypeVacancy   = "Vacature-status"
)

// Reader is what sync needs from Carerix; *carerix.Client implements it.
type Reader interface {
	DataNodeListBy(ctx context.Context, nodeType, tag string) ([]carerix.DataNode, error)
	EmployeePager(r carerix.PageRequest) *carerix.Pager[carerix.Employee]
	VacancyPager(r carerix.PageRequest) *carerix.Pager[carerix.Vacancy]
}

// Syncer applies Carerix data to a tenant's mirror.
type Syncer struct {
	Store recrubo.Store
	// PageSize is the Carerix page size (at most 100).
	PageSize int
	Now      func() time.Time
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// RefreshStatuses reads the tenant's status nodes from Carerix, stores them,
// and resolves the tenant's filters against them.
func (s *Syncer) RefreshStatuses(ctx context.Context, t *recrubo.Tenant, r Reader) (cand, vac []*recrubo.StatusNode, err error) {
	for _, k := range []struct {
		kind     recrubo.StatusKind
		nodeType string
		wanted   []string
		dst      *[]*recrubo.StatusNode
	}{
		{recrubo.StatusCandidate, nodeTypeCandidate, t.Filters.CandidateStatuses, &cand},
		{recrubo.StatusVacancy, nodeTypeVacancy, t.Filters.VacancyStatuses, &vac},
	} {
		raw, err := r.DataNodeListBy(ctx, k.nodeType, "")
		if err != nil {
			return nil, nil, fmt.Errorf("listing %s statuses: %w", k.kind, err)
		}
		nodes := make([]*recrubo.StatusNode, len(raw))
		for i := range raw {
			nodes[i] = toStatusNode(t.ID, k.kind, &raw[i])
		}
		if err := s.Store.ReplaceStatusNodes(ctx, t.ID, k.kind, nodes); err != nil {
			return nil, nil, fmt.Errorf("storing %s statuses: %w", k.kind, err)
		}
		if *k.dst, err = ResolveStatuses(k.kind, nodes, k.wanted); err != nil {
			return nil, nil, err
		}
	}
	return cand, vac, nil
}

// statusQualifier selects records whose status is one of nodes.
func statusQualifier(nodes []*recrubo.StatusNode) (string, error) {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return carerix.In("toStatusNode._id", ids...).Build()
}

// RunInitial imports the tenant's in-scope candidates and vacancies for run
// runID. Each page is applied together with its checkpoint in one
// transaction, so a run that stops (crash, cancel, error) continues after the
// last applied page without fetching finished pages again.
func (s *Syncer) RunInitial(ctx context.Context, t *recrubo.Tenant, r Reader, runID string) error {
	cand, vac, err := s.RefreshStatuses(ctx, t, r)
	if err != nil {
		return err
	}
	done := map[recrubo.Entity]*recrubo.SyncCheckpoint{}
	cps, err := s.Store.Checkpoints(ctx, t.ID, runID)
	if err != nil {
		return fmt.Errorf("loading checkpoints: %w", err)
	}
	for _, cp := range cps {
		done[cp.Entity] = cp
	}
	checkpoint := func(e recrubo.Entity) *recrubo.SyncCheckpoint {
		if cp := done[e]; cp != nil {
			return cp
		}
		return &recrubo.SyncCheckpoint{TenantID: t.ID, RunID: runID, Entity: e}
	}
	if len(cand) > 0 {
		q, err := statusQualifier(cand)
		if err != nil {
			return err
		}
		cp := checkpoint(recrubo.EntityCandidate)
		if err := walk(ctx, s, cp, r.EmployeePager(carerix.PageRequest{Qualifier: q, Page: cp.NextPage, Size: s.PageSize}),
			func(ctx context.Context, tx recrubo.Tx, e *carerix.Employee) error {
				_, err := tx.UpsertCandidate(ctx, toCandidate(t.ID, e, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing candidates: %w", err)
		}
	}
	if len(vac) > 0 {
		q, err := statusQualifier(vac)
		if err != nil {
			return err
		}
		cp := checkpoint(recrubo.EntityVacancy)
		if err := walk(ctx, s, cp, r.VacancyPager(carerix.PageRequest{Qualifier: q, Page: cp.NextPage, Size: s.PageSize}),
			func(ctx context.Context, tx recrubo.Tx, v *carerix.Vacancy) error {
				_, err := tx.UpsertVacancy(ctx, toVacancy(t.ID, v, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing vacancies: %w", err)
		}
	}
	return nil
}

// walk applies every remaining page of p, one transaction per page.
func walk[T any](ctx context.Context, s *Syncer, cp *recrubo.SyncCheckpoint, p *carerix.Pager[T],
	apply func(context.Context, recrubo.Tx, *T) error) error {
	if cp.Done {
		return nil
	}
	for p.More() {
		page, err := p.Next(ctx)
		if err != nil {
			return err
		}
		next := *cp
		next.NextPage = page.Page + 1
		next.Pages = page.TotalPages
		next.Total = int64(page.TotalElements)
		next.Records += int64(len(page.Items))
		next.Done = page.Last || len(page.Items) == 0
		next.UpdatedAt = s.now()
		err = s.Store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			for i := range page.Items {
				if err := apply(ctx, tx, &page.Items[i]); err != nil {
					return err
				}
			}
			return tx.SaveCheckpoint(ctx, &next)
		})
		if err != nil {
			return fmt.Errorf("applying page %d: %w", page.Page, err)
		}
		*cp = next
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !cp.Done {
		return errors.New("page walk ended before the last page")
	}
	return nil
}
