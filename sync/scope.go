package carerixsync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// scope is what a tenant syncs: the status nodes its filters resolve to. A
// candidate or vacancy is in scope when it is not deleted and its status is
// one of these; a match when its candidate and its vacancy are; a recruiter
// when it owns an in-scope candidate or vacancy.
//
// Qualifiers name the tenant's fields, as its contract resolves them.
type scope struct {
	k         *carerix.Contract
	cand, vac map[string]bool
	candIDs   []string
	vacIDs    []string
	key       string
}

func newScope(t *recrubo.Tenant, k *carerix.Contract, cand, vac []*recrubo.StatusNode) *scope {
	sc := &scope{k: k, cand: map[string]bool{}, vac: map[string]bool{}, key: ScopeKey(t.Filters)}
	for _, n := range cand {
		sc.cand[n.ID] = true
		sc.candIDs = append(sc.candIDs, n.ID)
	}
	for _, n := range vac {
		sc.vac[n.ID] = true
		sc.vacIDs = append(sc.vacIDs, n.ID)
	}
	return sc
}

// ScopeKey identifies a tenant's status filters, order and case aside.
func ScopeKey(f recrubo.StatusFilters) string {
	norm := func(xs []string) string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(strings.TrimSpace(x))
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), "\x1f")
	}
	return "c:" + norm(f.CandidateStatuses) + "\x1ev:" + norm(f.VacancyStatuses)
}

func (sc *scope) candidate(e *carerix.Employee) bool {
	return !e.Deleted && e.Status != nil && sc.cand[e.Status.ID]
}

func (sc *scope) vacancy(v *carerix.Vacancy) bool {
	return !v.Deleted && v.Status != nil && sc.vac[v.Status.ID]
}

// path is the tenant's name of a logical key path from logical type typ;
// a path the contract lacks makes a qualifier carrying the error.
func (sc *scope) path(typ string, logical ...string) (string, error) {
	return sc.k.Path(typ, logical...)
}

// eq is the qualifier "path = value" on the tenant's names.
func (sc *scope) eq(typ string, value any, logical ...string) carerix.Qualifier {
	p, err := sc.path(typ, logical...)
	if err != nil {
		return carerix.Failed(err)
	}
	return carerix.Eq(p, value)
}

// in is the qualifier "path in values" on the tenant's names.
func (sc *scope) in(typ string, values []string, logical ...string) carerix.Qualifier {
	p, err := sc.path(typ, logical...)
	if err != nil {
		return carerix.Failed(err)
	}
	return carerix.In(p, values...)
}

// date compares a date field; where the tenant's type lacks it, the zero
// Qualifier (every record) is returned, so a poll reads all of them.
func (sc *scope) date(typ, field string, op carerix.Op, t time.Time) carerix.Qualifier {
	if !sc.k.Has(typ, field) {
		return carerix.Qualifier{}
	}
	p, err := sc.path(typ, field)
	if err != nil {
		return carerix.Failed(err)
	}
	return carerix.Date(p, op, t)
}

// candidateQualifier selects the in-scope candidates; ok is false when
// none can be (no status chosen).
func (sc *scope) candidateQualifier() (q carerix.Qualifier, ok bool) {
	if len(sc.candIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	return sc.in(typeEmployee, sc.candIDs, "toStatusNode", "_id"), true
}

// vacancyQualifier selects the in-scope vacancies; ok is false when none
// can be.
func (sc *scope) vacancyQualifier() (q carerix.Qualifier, ok bool) {
	if len(sc.vacIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	return sc.in(typeVacancy, sc.vacIDs, "toStatusNode", "_id"), true
}

// matchQualifier selects the matches whose candidate and vacancy are both
// in scope, optionally of one candidate or vacancy; ok is false when none
// can be. Soft-deleted ends are excluded where the tenant's types say
// which are deleted.
func (sc *scope) matchQualifier(extra ...carerix.Qualifier) (q carerix.Qualifier, ok bool) {
	if len(sc.candIDs) == 0 || len(sc.vacIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	qs := []carerix.Qualifier{sc.in(typeMatch, sc.candIDs, "toEmployee", "toStatusNode", "_id")}
	if sc.k.Has(typeEmployee, "deleted") {
		qs = append(qs, sc.eq(typeMatch, false, "toEmployee", "deleted"))
	}
	qs = append(qs, sc.in(typeMatch, sc.vacIDs, "toVacancy", "toStatusNode", "_id"))
	if sc.k.Has(typeVacancy, "deleted") {
		qs = append(qs, sc.eq(typeMatch, false, "toVacancy", "deleted"))
	}
	return carerix.And(append(qs, extra...)...), true
}

// loadScope resolves the tenant's filters against its stored status nodes,
// reading them from Carerix first when none are stored yet or when the
// stored ones do not resolve (a status added in Carerix since).
func (s *Service) loadScope(ctx context.Context, t *recrubo.Tenant, r Reader, k *carerix.Contract) (*scope, error) {
	cand, cerr := s.resolveStored(ctx, t, recrubo.StatusCandidate, t.Filters.CandidateStatuses)
	vac, verr := s.resolveStored(ctx, t, recrubo.StatusVacancy, t.Filters.VacancyStatuses)
	if cerr == nil && verr == nil {
		return newScope(t, k, cand, vac), nil
	}
	syncer := &Syncer{Store: s.store, Now: s.now}
	cand, vac, err := syncer.RefreshStatuses(ctx, t, r)
	if err != nil {
		return nil, err
	}
	return newScope(t, k, cand, vac), nil
}

// errNoStatuses says the tenant's status nodes were never read.
var errNoStatuses = recrubo.Errorf(recrubo.ENOTFOUND, "No statuses stored yet.")

func (s *Service) resolveStored(ctx context.Context, t *recrubo.Tenant, kind recrubo.StatusKind, wanted []string) ([]*recrubo.StatusNode, error) {
	nodes, err := s.reads.StatusNodes(ctx, t.ID, kind)
	if err != nil {
		return nil, fmt.Errorf("reading %s statuses: %w", kind, err)
	}
	if len(nodes) == 0 {
		return nil, errNoStatuses
	}
	return ResolveStatuses(kind, nodes, wanted)
}
