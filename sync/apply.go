package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// What applying one record did, recorded on the event for operators.
const (
	outcomeApplied    = "applied"
	outcomeUnchanged  = "unchanged"
	outcomeRemoved    = "removed"
	outcomeOutOfScope = "out of scope"
	outcomeIgnored    = "ignored"
)

// applier applies Carerix records of one tenant to its mirror. Writes go to
// the store itself (never a cache), one short transaction each, so no
// transaction is held while Carerix answers.
type applier struct {
	s  *Service
	t  *recrubo.Tenant
	r  Reader
	k  *carerix.Contract
	sc *scope
	// aliases is how many records a read by their own page queries asks
	// for in one request (recordReader.each): aliasChunk, less where
	// Carerix refused as many lately (Service.refused).
	aliases int
	// noIDs says Carerix refuses _id in a qualifier (fetchByID): at
	// discovery (the contract), lately (Service.refused) or in this batch.
	noIDs bool
}

func (s *Service) applier(ctx context.Context, t *recrubo.Tenant) (*applier, error) {
	r, k, err := s.reader(ctx, t)
	if err != nil {
		return nil, err
	}
	sc, err := s.loadScope(ctx, t, r, k)
	if err != nil {
		return nil, err
	}
	a := &applier{s: s, t: t, r: r, k: k, sc: sc, aliases: aliasChunk}
	f := s.refused.get(t.ID, s.now())
	if f.aliases > 0 {
		a.aliases = f.aliases
	}
	a.noIDs = f.noIDs || k.RefusesIDQualifier()
	return a, nil
}

// lock serialises work on one record of the tenant in this instance.
func (a *applier) lock(e recrubo.Entity, id string) func() {
	return a.s.locks.lock(a.t.ID + "\x00" + string(e) + "\x00" + id)
}

// fetchByID reads the record id of rr alone, soft-deleted ones included;
// nil when Carerix has no such record (purged). It asks a page query on
// path, the tenant's _id (idPath); where there is none, Carerix refuses
// _id in a qualifier, or *noIDs says it did (and it then sets *noIDs), it
// asks the record's own query crX(_id),
// the documented way, which finds no soft-deleted record: one deleted
// then reads as gone, as a purged one does.
func fetchByID[T any](ctx context.Context, rr recordReader[T], path, id string, noIDs *bool) (*T, error) {
	if !*noIDs && path != "" {
		r, err := idPageRequest(path, id)
		if err != nil {
			return nil, err
		}
		p, err := rr.page(ctx, r)
		switch {
		case err == nil && len(p.Items) == 0:
			return nil, nil
		case err == nil:
			return &p.Items[0], nil
		case !errors.Is(err, carerix.ErrInvalidQualifier):
			return nil, err
		}
		*noIDs = true
	}
	rec, err := rr.own(ctx, id)
	if errors.Is(err, carerix.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}

// readByID is fetchByID starting from what the tenant's Carerix refused
// lately (Service.refused), and noting a refusal it meets.
func readByID[T any](ctx context.Context, a *applier, rr recordReader[T], id string) (*T, error) {
	was := a.noIDs
	rec, err := fetchByID(ctx, rr, idPath(a.k, rr), id, &a.noIDs)
	if a.noIDs && !was {
		a.s.log.WarnContext(ctx, "carerix refuses _id in qualifiers; reading records by id through their own queries",
			"tenant", a.t.ID, "entity", rr.entity)
		a.s.refused.note(a.t.ID, a.s.now(), func(f *refusal) { f.noIDs = true })
	}
	return rec, err
}

// notFound turns ENOTFOUND into a nil record.
func notFound[T any](v *T, err error) (*T, error) {
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// goneAt is the removal time of a record Carerix no longer has: when the
// event says it happened, else now.
func (a *applier) goneAt(at time.Time) time.Time {
	if at.IsZero() {
		return a.s.now()
	}
	return at
}

// candidateByID re-reads a candidate and applies it. at is when a removal
// happened if Carerix no longer has the record.
func (a *applier) candidateByID(ctx context.Context, id string, at time.Time) (string, error) {
	defer a.lock(recrubo.EntityCandidate, id)()
	e, err := readByID(ctx, a, employeeReader(a.r), id)
	if err != nil {
		return "", fmt.Errorf("reading candidate %s: %w", id, err)
	}
	return a.candidate(ctx, id, e, at)
}

// candidate applies state e of candidate id (nil: purged). A candidate
// entering scope brings its matches; one leaving takes them along.
func (a *applier) candidate(ctx context.Context, id string, e *carerix.Employee, at time.Time) (string, error) {
	if e == nil || !a.sc.candidate(e) {
		asOf := a.goneAt(at)
		if e != nil {
			asOf = e.ModificationDate
		}
		return a.removeCandidate(ctx, id, asOf, e == nil || e.Deleted)
	}
	prev, err := notFound(a.s.store.Candidate(ctx, a.t.ID, id))
	if err != nil {
		return "", err
	}
	c := toCandidate(a.t, e, a.s.now())
	ok, err := a.upsert(ctx, recrubo.EntityCandidate, id, c.ModifiedAt, func(ctx context.Context, ds recrubo.DataStore) (bool, error) {
		return ds.UpsertCandidate(ctx, c)
	})
	if err != nil || !ok {
		return outcomeUnchanged, err
	}
	if err := a.ensureRecruiter(ctx, c.OwnerID); err != nil {
		return "", err
	}
	if prev == nil {
		if q, ok := a.sc.matchQualifier(a.sc.eq(typeMatch, id, "toEmployee", "_id")); ok {
			if err := a.matchesWhere(ctx, q); err != nil {
				return "", err
			}
		}
	}
	return outcomeApplied, nil
}

// upsert stores a record with put. When a tombstone exactly as new as the
// record blocks it (the record left scope and came back within Carerix's
// one-second resolution), the state read now is the newer one: the
// tombstone goes and the record is stored, in one transaction.
func (a *applier) upsert(ctx context.Context, e recrubo.Entity, id string, mod time.Time,
	put func(context.Context, recrubo.DataStore) (bool, error)) (bool, error) {
	var ok bool
	err := a.s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		var err error
		if ok, err = put(ctx, tx); err != nil || ok {
			return err
		}
		if err := tx.ForgetTombstone(ctx, a.t.ID, e, id, mod); err != nil {
			return err
		}
		ok, err = put(ctx, tx)
		return err
	})
	return ok, err
}

// removeCandidate removes a candidate and its matches as of asOf.
func (a *applier) removeCandidate(ctx context.Context, id string, asOf time.Time, deleted bool) (string, error) {
	var removed bool
	err := a.s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		ms, err := tx.MatchesByCandidate(ctx, a.t.ID, id)
		if err != nil {
			return err
		}
		if removed, err = tx.RemoveCandidate(ctx, a.t.ID, id, asOf); err != nil {
			return err
		}
		return removeMatches(ctx, tx, a.t.ID, ms, asOf)
	})
	return removalOutcome(removed, deleted), err
}

func removalOutcome(removed, deleted bool) string {
	switch {
	case !removed:
		return outcomeUnchanged
	case deleted:
		return outcomeRemoved
	}
	return outcomeOutOfScope
}

// removeMatches removes matches that lost their candidate or vacancy, as of
// asOf or their own newer effective time.
func removeMatches(ctx context.Context, tx recrubo.Tx, tenantID string, ms []*recrubo.Match, asOf time.Time) error {
	for _, m := range ms {
		if _, err := tx.RemoveMatch(ctx, tenantID, m.ID, latest(asOf, m.ModifiedAt)); err != nil {
			return err
		}
	}
	return nil
}

// vacancyByID re-reads a vacancy and applies it.
func (a *applier) vacancyByID(ctx context.Context, id string, at time.Time) (string, error) {
	defer a.lock(recrubo.EntityVacancy, id)()
	v, err := readByID(ctx, a, vacancyReader(a.r), id)
	if err != nil {
		return "", fmt.Errorf("reading vacancy %s: %w", id, err)
	}
	return a.vacancy(ctx, id, v, at)
}

// vacancy applies state v of vacancy id (nil: purged).
func (a *applier) vacancy(ctx context.Context, id string, v *carerix.Vacancy, at time.Time) (string, error) {
	if v == nil || !a.sc.vacancy(v) {
		asOf := a.goneAt(at)
		if v != nil {
			asOf = v.ModificationDate
		}
		var removed bool
		err := a.s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			ms, err := tx.MatchesByVacancy(ctx, a.t.ID, id)
			if err != nil {
				return err
			}
			if removed, err = tx.RemoveVacancy(ctx, a.t.ID, id, asOf); err != nil {
				return err
			}
			return removeMatches(ctx, tx, a.t.ID, ms, asOf)
		})
		return removalOutcome(removed, v == nil || v.Deleted), err
	}
	prev, err := notFound(a.s.store.Vacancy(ctx, a.t.ID, id))
	if err != nil {
		return "", err
	}
	out := toVacancy(a.t.ID, v, a.s.now())
	ok, err := a.upsert(ctx, recrubo.EntityVacancy, id, out.ModifiedAt, func(ctx context.Context, ds recrubo.DataStore) (bool, error) {
		return ds.UpsertVacancy(ctx, out)
	})
	if err != nil || !ok {
		return outcomeUnchanged, err
	}
	if err := a.ensureRecruiter(ctx, out.OwnerID); err != nil {
		return "", err
	}
	if prev == nil {
		if q, ok := a.sc.matchQualifier(a.sc.eq(typeMatch, id, "toVacancy", "_id")); ok {
			if err := a.matchesWhere(ctx, q); err != nil {
				return "", err
			}
		}
	}
	return outcomeApplied, nil
}

// matchesWhere applies every match the qualifier selects, paging by key
// (keyset.go).
func (a *applier) matchesWhere(ctx context.Context, q carerix.Qualifier) error {
	for m, err := range keyWalk(ctx, a.r.MatchPage, a.k, matchKey, q, a.s.pageSize, false) {
		if err != nil {
			return fmt.Errorf("reading matches: %w", err)
		}
		unlock := a.lock(recrubo.EntityMatch, m.ID)
		_, err := a.match(ctx, m.ID, &m, time.Time{})
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// matchByID re-reads a match and applies it.
func (a *applier) matchByID(ctx context.Context, id string, at time.Time) (string, error) {
	defer a.lock(recrubo.EntityMatch, id)()
	m, err := readByID(ctx, a, matchReader(a.r), id)
	if err != nil {
		return "", fmt.Errorf("reading match %s: %w", id, err)
	}
	return a.match(ctx, id, m, at)
}

// match applies state m of match id (nil: purged). A match is in scope when
// its candidate and vacancy are in the mirror.
func (a *applier) match(ctx context.Context, id string, m *carerix.Match, at time.Time) (string, error) {
	var c *recrubo.Candidate
	var v *recrubo.Vacancy
	if m != nil && !m.Deleted {
		var err error
		if c, v, err = matchEnds(ctx, a.s.store, a.t.ID, m); err != nil {
			return "", err
		}
		if c != nil && v != nil {
			x := toMatch(a.t.ID, m, c, v, a.s.now())
			ok, err := a.upsert(ctx, recrubo.EntityMatch, id, x.ModifiedAt, func(ctx context.Context, ds recrubo.DataStore) (bool, error) {
				return ds.UpsertMatch(ctx, x)
			})
			if err != nil || !ok {
				return outcomeUnchanged, err
			}
			return outcomeApplied, nil
		}
	}
	stored, err := notFound(a.s.store.Match(ctx, a.t.ID, id))
	if err != nil || stored == nil {
		return outcomeOutOfScope, err
	}
	asOf := stored.ModifiedAt
	if m != nil {
		asOf = latest(asOf, m.ModificationDate)
	} else {
		asOf = latest(asOf, a.goneAt(at))
	}
	if c != nil {
		asOf = latest(asOf, c.ModifiedAt)
	}
	if v != nil {
		asOf = latest(asOf, v.ModifiedAt)
	}
	removed, err := a.s.store.RemoveMatch(ctx, a.t.ID, id, asOf)
	return removalOutcome(removed, m == nil || m.Deleted), err
}

// ensureRecruiter reads the owner of an in-scope record when the mirror
// does not have it yet.
func (a *applier) ensureRecruiter(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	got, err := notFound(a.s.store.Recruiter(ctx, a.t.ID, id))
	if err != nil || got != nil {
		return err
	}
	_, err = a.recruiterByID(ctx, id, true)
	return err
}

// recruiterByID re-reads a user and stores it when it is a recruiter we
// keep (add says to take it even if the mirror does not have it yet).
// Recruiters are never removed: a user Carerix no longer has is kept,
// inactive.
func (a *applier) recruiterByID(ctx context.Context, id string, add bool) (string, error) {
	defer a.lock(recrubo.EntityRecruiter, id)()
	stored, err := notFound(a.s.store.Recruiter(ctx, a.t.ID, id))
	if err != nil {
		return "", err
	}
	if stored == nil && !add {
		return outcomeIgnored, nil
	}
	readAt := a.s.now()
	u, err := readByID(ctx, a, userReader(a.r), id)
	if err != nil {
		return "", fmt.Errorf("reading user %s: %w", id, err)
	}
	return a.recruiter(ctx, stored, u, readAt)
}

// recruiter applies state u, read at readAt, of a user the mirror has as
// stored (nil: not yet); u nil means Carerix no longer has it.
func (a *applier) recruiter(ctx context.Context, stored *recrubo.Recruiter, u *carerix.User, readAt time.Time) (string, error) {
	var r *recrubo.Recruiter
	switch {
	case u != nil:
		r = toRecruiter(a.t.ID, u, readAt)
	case stored != nil:
		r = stored
		r.Active, r.ModifiedAt, r.SyncedAt = false, readAt, readAt
	default:
		return outcomeIgnored, nil
	}
	ok, err := a.s.store.UpsertRecruiter(ctx, r)
	if err != nil || !ok {
		return outcomeUnchanged, err
	}
	return outcomeApplied, nil
}
