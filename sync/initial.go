package carerixsync

import (
	"context"
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

// idChunk is how many records one page request asks for by id.
const idChunk = 100

// Syncer applies Carerix data to a tenant's mirror.
type Syncer struct {
	Store recrubo.Store
	// PageSize is the Carerix page size; the client clamps it to what the
	// tenant takes (its contract).
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
// and recruiters for run runID, in that order. Pages are read by key
// (keyset.go), so records changing scope during the walk cannot make it
// skip others. Each page is applied together with its checkpoint in one
// transaction, so a run that stops (crash, cancel, error) continues after
// the last applied record without fetching finished pages again. Pages
// never overwrite newer states that webhook events stored meanwhile (the
// mirror's modification-time rule).
func (s *Syncer) RunInitial(ctx context.Context, t *recrubo.Tenant, r Reader, runID string) error {
	k, err := r.Contract(ctx)
	if err != nil {
		return fmt.Errorf("reading the Carerix API contract: %w", err)
	}
	if err := k.Err(); err != nil {
		return err
	}
	cand, vac, err := s.RefreshStatuses(ctx, t, r)
	if err != nil {
		return err
	}
	sc := newScope(t, k, cand, vac)
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
	if q, ok := sc.candidateQualifier(); ok {
		if err := walk(ctx, s, checkpoint(recrubo.EntityCandidate), r.EmployeePage, k, employeeKey, q,
			func(ctx context.Context, tx recrubo.Tx, e *carerix.Employee) error {
				_, err := tx.UpsertCandidate(ctx, toCandidate(t, e, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing candidates: %w", err)
		}
	}
	if q, ok := sc.vacancyQualifier(); ok {
		if err := walk(ctx, s, checkpoint(recrubo.EntityVacancy), r.VacancyPage, k, vacancyKey, q,
			func(ctx context.Context, tx recrubo.Tx, v *carerix.Vacancy) error {
				_, err := tx.UpsertVacancy(ctx, toVacancy(t.ID, v, s.now()))
				return err
			}); err != nil {
			return fmt.Errorf("syncing vacancies: %w", err)
		}
	}
	if q, ok := sc.matchQualifier(); ok {
		if err := walk(ctx, s, checkpoint(recrubo.EntityMatch), r.MatchPage, k, matchKey, q,
			func(ctx context.Context, tx recrubo.Tx, m *carerix.Match) error {
				_, err := upsertMatch(ctx, tx, t.ID, m, s.now())
				return err
			}); err != nil {
			return fmt.Errorf("syncing matches: %w", err)
		}
	}
	if err := s.syncRecruiters(ctx, t, r, k, checkpoint(recrubo.EntityRecruiter)); err != nil {
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
func (s *Syncer) syncRecruiters(ctx context.Context, t *recrubo.Tenant, r Reader, k *carerix.Contract, cp *recrubo.SyncCheckpoint) error {
	if cp.Done {
		return nil
	}
	ids, err := s.Store.OwnerIDs(ctx, t.ID)
	if err != nil {
		return err
	}
	chunks := (len(ids) + idChunk - 1) / idChunk
	noIDs := k.RefusesIDQualifier()
	for i := cp.NextPage; i < chunks; i++ {
		chunk := ids[i*idChunk : min(len(ids), (i+1)*idChunk)]
		users, err := fetchByIDs(ctx, k, userReader(r), chunk, &noIDs)
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

func (s *Syncer) progress(cp *recrubo.SyncCheckpoint) {
	if s.OnPage != nil {
		s.OnPage(*cp)
	}
}

// walk applies every remaining page of the records where selects, one
// transaction per page, paging by key (keyset.go): each page is the first
// of the records above the last key applied, and the checkpoint saved with
// it holds that key, so records leaving the selection meanwhile cannot make
// the walk skip one, and a resumed walk never fetches an applied page again.
func walk[T any](ctx context.Context, s *Syncer, cp *recrubo.SyncCheckpoint, fetch carerix.PageFunc[T], kc *carerix.Contract, k keyField[T],
	where carerix.Qualifier, apply func(context.Context, recrubo.Tx, *T) error) error {
	if cp.Done {
		return nil
	}
	after, ok := resumeAfter(cp)
	if !ok {
		// A page offset saved by the old offset paging: the entity starts
		// over. Upserts are idempotent and never overwrite a newer state,
		// so applying its first pages again is safe; the counts restart so
		// each record is counted once.
		*cp = recrubo.SyncCheckpoint{TenantID: cp.TenantID, RunID: cp.RunID, Entity: cp.Entity}
	}
	for {
		page, last, done, err := keyPage(ctx, fetch, kc, k, where, after, s.PageSize, false)
		if err != nil {
			return err
		}
		next := *cp
		next.NextPage++
		next.AfterKey = last
		next.Records += int64(len(page.Items))
		// TotalElements counts the records above the bound: this page
		// and those still to come.
		next.Total = cp.Records + int64(page.TotalElements)
		next.Pages = pagesOf(next.Total, page.Size)
		next.Done = done
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
			return fmt.Errorf("applying the page of %ss %s: %w", k.kind, k.from(after), err)
		}
		*cp = next
		s.progress(cp)
		if err := ctx.Err(); err != nil {
			return err
		}
		if done {
			return nil
		}
		after = last
	}
}
