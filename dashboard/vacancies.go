package dashboard

import (
	"context"
	"fmt"
)

// vacancyIndex looks up candidates' matched vacancies and vacancy titles
// once per computation.
type vacancyIndex struct {
	ctx      context.Context
	src      Source
	tenantID string
	byCand   map[string][]string
	titles   map[string]string
}

func newVacancyIndex(ctx context.Context, src Source, tenantID string) *vacancyIndex {
	return &vacancyIndex{ctx: ctx, src: src, tenantID: tenantID, byCand: map[string][]string{}, titles: map[string]string{}}
}

func (v *vacancyIndex) ofCandidate(candidateID string) ([]string, error) {
	if candidateID == "" {
		return nil, nil
	}
	if ids, ok := v.byCand[candidateID]; ok {
		return ids, nil
	}
	ms, err := v.src.MatchesByCandidate(v.ctx, v.tenantID, candidateID)
	if err != nil {
		return nil, fmt.Errorf("dashboard: reading matches: %w", err)
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.VacancyID)
	}
	v.byCand[candidateID] = ids
	return ids, nil
}

func (v *vacancyIndex) title(id string) string {
	if t, ok := v.titles[id]; ok {
		return t
	}
	t := id
	// A vacancy out of scope (or unreadable) is shown by its id.
	if vac, err := v.src.Vacancy(v.ctx, v.tenantID, id); err == nil && vac.Title != "" {
		t = vac.Title
	}
	v.titles[id] = t
	return t
}
