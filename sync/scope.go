package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// scope is what a tenant syncs: the status nodes its filters resolve to. A
// candidate or vacancy is in scope when it is not deleted and its status is
// one of these; a match when its candidate and its vacancy are; a recruiter
// when it owns an in-scope candidate or vacancy.
type scope struct {
	cand, vac map[string]bool
	candIDs   []string
	vacIDs    []string
	key       string
}

func newScope(t *recrubo.Tenant, cand, vac []*recrubo.StatusNode) *scope {
	sc := &scope{cand: map[string]bool{}, vac: map[string]bool{}, key: ScopeKey(t.Filters)}
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

// candidateQualifier selects the in-scope candidates; ok is false when
// none can be (no status chosen).
func (sc *scope) candidateQualifier() (q carerix.Qualifier, ok bool) {
	if len(sc.candIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	return carerix.In("toStatusNode._id", sc.candIDs...), true
}

// vacancyQualifier selects the in-scope vacancies; ok is false when none
// can be.
func (sc *scope) vacancyQualifier() (q carerix.Qualifier, ok bool) {
	if len(sc.vacIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	return carerix.In("toStatusNode._id", sc.vacIDs...), true
}

// matchQualifier selects the matches whose candidate and vacancy are both
// in scope, optionally of one candidate or vacancy; ok is false when none
// can be.
func (sc *scope) matchQualifier(extra ...carerix.Qualifier) (q carerix.Qualifier, ok bool) {
	if len(sc.candIDs) == 0 || len(sc.vacIDs) == 0 {
		return carerix.Qualifier{}, false
	}
	qs := append([]carerix.Qualifier{
		carerix.In("toEmployee.toStatusNode._id", sc.candIDs...),
		carerix.Eq("toEmployee.deleted", false),
		carerix.In("toVacancy.toStatusNode._id", sc.vacIDs...),
		carerix.Eq("toVacancy.deleted", false),
	}, extra...)
	return carerix.And(qs...), true
}

// loadScope resolves the tenant's filters against its stored status nodes,
// reading them from Carerix first when none are stored yet or when the
// stored ones do not resolve (a status added in Carerix since).
func (s *Service) loadScope(ctx context.Context, t *recrubo.Tenant, r Reader) (*scope, error) {
	cand, cerr := s.resolveStored(ctx, t, recrubo.StatusCandidate, t.Filters.CandidateStatuses)
	vac, verr := s.resolveStored(ctx, t, recrubo.StatusVacancy, t.Filters.VacancyStatuses)
	if cerr == nil && verr == nil {
		return newScope(t, cand, vac), nil
	}
	syncer := &Syncer{Store: s.store, Now: s.now}
	cand, vac, err := syncer.RefreshStatuses(ctx, t, r)
	if err != nil {
		return nil, err
	}
	return newScope(t, cand, vac), nil
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
