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

// userChunk is how many users one page request asks for by id.
const userChunk = 100

// Syncer applies Carerix data to a tenant's mirror.
type Syncer struct {
	Store recrubo.Store
	// PageSize is the Carerix page size (at most 100).
	PageSize int
	Now      func() time.Time
	// OnPage, when set, is called after each applied page with the
	// entity's checkpoint (for progress displays).
	OnPage func(cp recrubo.SyncCheckpoint)
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
	var resolved [2][]*recrubo.StatusNode
	for i, k := range statusKinds(t) {
		nodes, err := readStatusNodes(ctx, r, t.ID, k.kind, k.nodeType)
		if err != nil {
			return nil, nil, err
		}
		if err := s.Store.ReplaceStatusNodes(ctx, t.ID, k.kind, nodes); err != nil {
			return nil, nil, fmt.Errorf("storing %s statuses: %w", k.kind, err)
		}
		if resolved[i], err = ResolveStatuses(k.kind, nodes, k.wanted); err != nil {
			return nil, nil, err
		}
	}
	return resolved[0], resolved[1], nil
}

// RunInitial imports the tenant's in-scope candidates, vacancies, matches
// and recruiters for run runID, in that order. Each page is applied
// together with its checkpoint in one transaction, so a run that stops
// (crash, cancel, error) continues after the last applied page without
// fetching finished pages again. Pages never overwrite newer states that
// webhook events stored meanwhile (the mirror's modification-time rule).
func (s *Syncer) RunInitial(ctx context.Context, t *recrubo.Tenant, r Reader, runID string) error {
	cand, vac, err := s.RefreshStatuses(ctx, t, r)
	if err != nil {
		return err
	}
	sc := newScope(t, cand, vac)
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
	size := s.PageSize

	if q, err := sc.candidateQualifier(); err != nil {
		return err
	} else if q != "" {
		cp := checkpoint(recrubo.EntityCandidate)
		if err := walk(ctx, s, cp, carerix.NewPager(r.EmployeePage, carerix.PageRequest{Qualifier: q, Page: cp.NextPage, Size: size}),
			func(ctx context.Context, tx recrubo.Tx, e *carerix.Employee) error {
				_, err := tx.UpsertCandidate(ctx, toCandidate(t.ID, e, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing candidates: %w", err)
		}
	}
	if q, err := sc.vacancyQualifier(); err != nil {
		return err
	} else if q != "" {
		cp := checkpoint(recrubo.EntityVacancy)
		if err := walk(ctx, s, cp, carerix.NewPager(r.VacancyPage, carerix.PageRequest{Qualifier: q, Page: cp.NextPage, Size: size}),
			func(ctx context.Context, tx recrubo.Tx, v *carerix.Vacancy) error {
				_, err := tx.UpsertVacancy(ctx, toVacancy(t.ID, v, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing vacancies: %w", err)
		}
	}
	if q, err := sc.matchQualifier(); err != nil {
		return err
	} else if q != "" {
		cp := checkpoint(recrubo.EntityMatch)
		if err := walk(ctx, s, cp, carerix.NewPager(r.MatchPage, carerix.PageRequest{Qualifier: q, Page: cp.NextPage, Size: size}),
			func(ctx context.Context, tx recrubo.Tx, m *carerix.Match) error {
				_, err := upsertMatch(ctx, tx, t.ID, m, s.now())
				return err
			}); err != nil {
			return fmt.Errorf("syncing matches: %w", err)
		}
	}
	if err := s.syncRecruiters(ctx, t, r, checkpoint(recrubo.EntityRecruiter)); err != nil {
		return fmt.Errorf("syncing recruiters: %w", err)
	}
	return nil
}

// upsertMatch stores m when its candidate and vacancy are in the mirror;
// it reports whether m was applied.
func upsertMatch(ctx context.Context, ds recrubo.DataStore, tenantID string, m *carerix.Match, now time.Time) (bool, error) {
	c, v, err := matchEnds(ctx, ds, tenantID, m)
	if err != nil || c == nil || v == nil {
		return false, err
	}
	return ds.UpsertMatch(ctx, toMatch(tenantID, m, c, v, now))
}

// matchEnds returns the mirrored candidate and vacancy of m; nil for one
// that is not in the mirror.
func matchEnds(ctx context.Context, ds recrubo.DataStore, tenantID string, m *carerix.Match) (*recrubo.Candidate, *recrubo.Vacancy, error) {
	c, err := ds.Candidate(ctx, tenantID, m.EmployeeID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, nil, err
	}
	v, err := ds.Vacancy(ctx, tenantID, m.VacancyID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, nil, err
	}
	return c, v, nil
}

// syncRecruiters reads the owners of the mirrored candidates and vacancies,
// a chunk of ids per request, each chunk with its checkpoint.
func (s *Syncer) syncRecruiters(ctx context.Context, t *recrubo.Tenant, r Reader, cp *recrubo.SyncCheckpoint) error {
	if cp.Done {
		return nil
	}
	ids, err := s.Store.OwnerIDs(ctx, t.ID)
	if err != nil {
		return err
	}
	chunks := (len(ids) + userChunk - 1) / userChunk
	for i := cp.NextPage; i < chunks; i++ {
		chunk := ids[i*userChunk : min(len(ids), (i+1)*userChunk)]
		users, err := fetchUsers(ctx, r, chunk)
		if err != nil {
			return err
		}
		next := *cp
		next.NextPage, next.Pages, next.Total = i+1, chunks, int64(len(ids))
		next.Records += int64(len(users))
		next.Done = i+1 == chunks
		if err := s.Store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			for j := range users {
				if _, err := tx.UpsertRecruiter(ctx, toRecruiter(t.ID, &users[j], s.now())); err != nil {
					return err
				}
			}
			return tx.SaveCheckpoint(ctx, &next)
		}); err != nil {
			return fmt.Errorf("applying recruiters %d: %w", i, err)
		}
		*cp = next
		s.progress(cp)
	}
	if !cp.Done {
		cp.Done, cp.Total = true, int64(len(ids))
		if err := s.Store.SaveCheckpoint(ctx, cp); err != nil {
			return err
		}
		s.progress(cp)
	}
	return nil
}

// fetchUsers reads the users with the given ids (deleted ones included).
func fetchUsers(ctx context.Context, r Reader, ids []string) ([]carerix.User, error) {
	q, err := carerix.In("_id", ids...).Build()
	if err != nil {
		return nil, err
	}
	var out []carerix.User
	p := carerix.NewPager(r.UserPage, carerix.PageRequest{Qualifier: q, Size: userChunk, NoRestrict: true})
	for u, err := range p.All(ctx) {
		if err != nil {
			return nil, fmt.Errorf("reading users: %w", err)
		}
		out = append(out, u)
	}
	return out, nil
}

func (s *Syncer) progress(cp *recrubo.SyncCheckpoint) {
	if s.OnPage != nil {
		s.OnPage(*cp)
	}
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
		s.progress(cp)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !cp.Done {
		return errors.New("page walk ended before the last page")
	}
	return nil
}
