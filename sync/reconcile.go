package carerixsync

import (
	"context"
	"fmt"
	"slices"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// reconcileJob runs Reconcile.
func (s *Service) reconcileJob(ctx context.Context, args ReconcileArgs) error {
	if err := s.Reconcile(ctx, args.TenantID, args.Scan); err != nil {
		return s.jobFailed(ctx, args.TenantID, err)
	}
	return nil
}

// rescopeJob runs Rescope.
func (s *Service) rescopeJob(ctx context.Context, args RescopeArgs) error {
	if err := s.Rescope(ctx, args.TenantID); err != nil {
		return s.jobFailed(ctx, args.TenantID, err)
	}
	return nil
}

// Reconcile catches up with changes webhooks did not bring: it reads every
// candidate, vacancy, match and user Carerix modified since the watermark
// (less the overlap), deleted ones included, and applies them. With scan it
// also reads every in-scope record and removes what Carerix no longer has
// (purged records send no change to poll). A tenant whose initial sync has
// not finished is left alone; one whose filters changed is rescoped.
func (s *Service) Reconcile(ctx context.Context, tenantID string, scan bool) error {
	t, err := s.store.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	st, err := s.store.SyncStatus(ctx, tenantID)
	if err != nil {
		return err
	}
	if st.ScopeKey == "" {
		return nil
	}
	if st.ScopeKey != ScopeKey(t.Filters) {
		return s.Rescope(ctx, tenantID)
	}
	a, err := s.applier(ctx, t)
	if err != nil {
		return err
	}
	start := s.now()
	if err := a.poll(ctx, st.Watermark.Add(-s.overlap)); err != nil {
		return err
	}
	if scan {
		if err := a.scan(ctx, start); err != nil {
			return err
		}
	}
	return s.saveReconciled(ctx, tenantID, start, scan, "")
}

// Rescope applies changed status filters: it reads the statuses again,
// forgets tombstones (records that left may now come back unchanged), reads
// every record now in scope, and removes those no longer in it.
func (s *Service) Rescope(ctx context.Context, tenantID string) error {
	t, err := s.store.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	r, k, err := s.reader(ctx, t)
	if err != nil {
		return err
	}
	syncer := &Syncer{Store: s.store, Now: s.now}
	cand, vac, err := syncer.RefreshStatuses(ctx, t, r)
	if err != nil {
		return err
	}
	if err := s.store.ForgetTombstones(ctx, tenantID); err != nil {
		return err
	}
	a := &applier{s: s, t: t, r: r, k: k, sc: newScope(t, k, cand, vac)}
	start := s.now()
	if err := a.scan(ctx, start); err != nil {
		return err
	}
	return s.saveReconciled(ctx, tenantID, start, true, a.sc.key)
}

// saveReconciled records a finished reconciliation started at start.
func (s *Service) saveReconciled(ctx context.Context, tenantID string, start time.Time, scanned bool, scopeKey string) error {
	return s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		st, err := tx.SyncStatus(ctx, tenantID)
		if err != nil {
			return err
		}
		st.Watermark, st.LastReconcileAt = start, s.now()
		if scanned {
			st.LastScanAt = start
		}
		if scopeKey != "" {
			st.ScopeKey = scopeKey
		}
		st.LastError, st.LastErrorAt = "", time.Time{}
		return tx.SaveSyncStatus(ctx, st)
	})
}

// poll applies every record modified since since, paging by key
// (keyset.go) so a record purged meanwhile cannot make it skip another.
func (a *applier) poll(ctx context.Context, since time.Time) error {
	changed := func(typ string) carerix.Qualifier { return a.sc.date(typ, "modificationDate", carerix.OpGe, since) }
	size := a.s.pageSize
	for e, err := range keyWalk(ctx, a.r.EmployeePage, a.k, employeeKey, changed(typeEmployee), size, true) {
		if err != nil {
			return fmt.Errorf("polling candidates: %w", err)
		}
		if err := a.locked(recrubo.EntityCandidate, e.ID, func() error {
			_, err := a.candidate(ctx, e.ID, &e, time.Time{})
			return err
		}); err != nil {
			return err
		}
	}
	for v, err := range keyWalk(ctx, a.r.VacancyPage, a.k, vacancyKey, changed(typeVacancy), size, true) {
		if err != nil {
			return fmt.Errorf("polling vacancies: %w", err)
		}
		if err := a.locked(recrubo.EntityVacancy, v.ID, func() error {
			_, err := a.vacancy(ctx, v.ID, &v, time.Time{})
			return err
		}); err != nil {
			return err
		}
	}
	for m, err := range keyWalk(ctx, a.r.MatchPage, a.k, matchKey, changed(typeMatch), size, true) {
		if err != nil {
			return fmt.Errorf("polling matches: %w", err)
		}
		if err := a.locked(recrubo.EntityMatch, m.ID, func() error {
			_, err := a.match(ctx, m.ID, &m, time.Time{})
			return err
		}); err != nil {
			return err
		}
	}
	readAt := a.s.now()
	for u, err := range keyWalk(ctx, a.r.UserPage, a.k, userKey, changed(typeUser), size, true) {
		if err != nil {
			return fmt.Errorf("polling users: %w", err)
		}
		stored, err := notFound(a.s.store.Recruiter(ctx, a.t.ID, u.ID))
		if err != nil {
			return err
		}
		if stored != nil {
			if _, err := a.s.store.UpsertRecruiter(ctx, toRecruiter(a.t.ID, &u, readAt)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) locked(e recrubo.Entity, id string, fn func() error) error {
	defer a.lock(e, id)()
	return fn()
}

// scan reads every in-scope record and applies it, paging by key
// (keyset.go), then settles the mirrored records it did not list (see
// sweep). Removals of records Carerix no longer has are dated just before
// start, so a record changed while the scan ran is left to its events.
func (a *applier) scan(ctx context.Context, start time.Time) error {
	asOf := start.Truncate(time.Second).Add(-time.Second)
	var ids struct{ cand, vac, match map[string]bool }
	ids.cand, ids.vac, ids.match = map[string]bool{}, map[string]bool{}, map[string]bool{}
	size := a.s.pageSize

	if q, ok := a.sc.candidateQualifier(); ok {
		for e, err := range keyWalk(ctx, a.r.EmployeePage, a.k, employeeKey, q, size, false) {
			if err != nil {
				return fmt.Errorf("scanning candidates: %w", err)
			}
			ids.cand[e.ID] = true
			if err := a.locked(recrubo.EntityCandidate, e.ID, func() error {
				_, err := a.candidate(ctx, e.ID, &e, time.Time{})
				return err
			}); err != nil {
				return err
			}
		}
	}
	if q, ok := a.sc.vacancyQualifier(); ok {
		for v, err := range keyWalk(ctx, a.r.VacancyPage, a.k, vacancyKey, q, size, false) {
			if err != nil {
				return fmt.Errorf("scanning vacancies: %w", err)
			}
			ids.vac[v.ID] = true
			if err := a.locked(recrubo.EntityVacancy, v.ID, func() error {
				_, err := a.vacancy(ctx, v.ID, &v, time.Time{})
				return err
			}); err != nil {
				return err
			}
		}
	}
	if q, ok := a.sc.matchQualifier(); ok {
		for m, err := range keyWalk(ctx, a.r.MatchPage, a.k, matchKey, q, size, false) {
			if err != nil {
				return fmt.Errorf("scanning matches: %w", err)
			}
			ids.match[m.ID] = true
			if err := a.locked(recrubo.EntityMatch, m.ID, func() error {
				_, err := a.match(ctx, m.ID, &m, time.Time{})
				return err
			}); err != nil {
				return err
			}
		}
	}
	ds := a.s.store
	if err := sweep(ctx, a, recrubo.EntityCandidate, ds.CandidateIDs, ids.cand, employeeReader(a.r),
		func(id string, e *carerix.Employee) error {
			_, err := a.candidate(ctx, id, e, asOf)
			return err
		}); err != nil {
		return fmt.Errorf("sweeping candidates: %w", err)
	}
	if err := sweep(ctx, a, recrubo.EntityVacancy, ds.VacancyIDs, ids.vac, vacancyReader(a.r),
		func(id string, v *carerix.Vacancy) error {
			_, err := a.vacancy(ctx, id, v, asOf)
			return err
		}); err != nil {
		return fmt.Errorf("sweeping vacancies: %w", err)
	}
	// Matches last: whether one stays depends on its candidate and
	// vacancy, settled above.
	if err := sweep(ctx, a, recrubo.EntityMatch, ds.MatchIDs, ids.match, matchReader(a.r),
		func(id string, m *carerix.Match) error {
			_, err := a.match(ctx, id, m, asOf)
			return err
		}); err != nil {
		return fmt.Errorf("sweeping matches: %w", err)
	}
	owners, err := ds.OwnerIDs(ctx, a.t.ID)
	if err != nil {
		return err
	}
	for _, id := range owners {
		if err := a.ensureRecruiter(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// sweep settles the mirrored records of one entity that the scan did not
// list (not in seen). Not being listed does not prove a record gone: it may
// have changed while the scan ran, or the listing may have missed it. So
// each is read again by id, idChunk at a time, and apply gets what Carerix
// has now: nil for a record it no longer has (purged; apply removes it as
// of just before the scan), else the record, which apply keeps, updates or
// removes (deleted or out of scope, as of its own modification) like any
// other state. Each record is applied under its lock.
func sweep[T any](ctx context.Context, a *applier, e recrubo.Entity, list func(context.Context, string, func(string) error) error,
	seen map[string]bool, rr recordReader[T], apply func(id string, rec *T) error) error {
	var unlisted []string
	if err := list(ctx, a.t.ID, func(id string) error {
		if !seen[id] {
			unlisted = append(unlisted, id)
		}
		return nil
	}); err != nil {
		return err
	}
	for chunk := range slices.Chunk(unlisted, idChunk) {
		recs, err := fetchByIDs(ctx, a.k, rr, chunk, &a.noIDs)
		if err != nil {
			return err
		}
		current := make(map[string]*T, len(recs))
		for i := range recs {
			current[rr.idOf(&recs[i])] = &recs[i]
		}
		for _, id := range chunk {
			if err := a.locked(e, id, func() error { return apply(id, current[id]) }); err != nil {
				return err
			}
		}
	}
	return nil
}
