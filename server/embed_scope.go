package server

import (
	"context"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// The pages of records outside the tenant's status filters say so, naming
// the statuses that are synced, and what is possible instead.

// syncedStatuses names the statuses of kind the tenant syncs as
// recruiters know them: a filter given as an export code shows its
// status's label. "none set" when there are none.
func (s *Server) syncedStatuses(ctx context.Context, p *embedPage, kind recrubo.StatusKind) string {
	wanted := p.tenant.Filters.CandidateStatuses
	if kind == recrubo.StatusVacancy {
		wanted = p.tenant.Filters.VacancyStatuses
	}
	if len(wanted) == 0 {
		return p.t("embed.no_statuses")
	}
	// Without the stored statuses the filters show as they were set.
	nodes, err := s.deps.Embeds.Data.StatusNodes(ctx, p.tenant.ID, kind)
	if err != nil {
		s.log.WarnContext(ctx, "reading status nodes for a page", "tenant", p.tenant.ID, "err", err)
	}
	names := make([]string, 0, len(wanted))
	for _, w := range wanted {
		name := strings.TrimSpace(w)
		for _, n := range nodes {
			if strings.EqualFold(n.ExportCode, name) || strings.EqualFold(n.Value, name) {
				name = n.Value
				break
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// vacancyScope returns the title a vacancy's dashboard shows and, for a
// vacancy that is not synced, the notice that says so: its title and
// status then come from Carerix (its number when Carerix cannot say).
func (s *Server) vacancyScope(ctx context.Context, p *embedPage, id string) (string, templates.HTML, error) {
	vac, err := s.deps.Embeds.Data.Vacancy(ctx, p.tenant.ID, id)
	switch {
	case err == nil:
		if vac.Title == "" {
			return p.t("embed.vacancy_number", id), templates.HTML{}, nil
		}
		return vac.Title, templates.HTML{}, nil
	case recrubo.ErrorCode(err) != recrubo.ENOTFOUND:
		return "", templates.HTML{}, err
	}
	title, status := p.t("embed.vacancy_number", id), ""
	if cx := s.deps.Embeds.Carerix; cx != nil {
		lctx, cancel := context.WithTimeout(ctx, carerixLookupTimeout)
		defer cancel()
		switch vac, err := cx.Vacancy(lctx, p.tenant, id); {
		case err == nil:
			if vac.Title != "" {
				title = vac.Title
			}
			status = vac.StatusLabel
		case recrubo.ErrorCode(err) != recrubo.ENOTFOUND:
			s.log.WarnContext(ctx, "reading an unsynced vacancy from Carerix", "tenant", p.tenant.ID,
				"vacancy", id, "err", err)
		}
	}
	text := p.t("embed.vacancy_not_synced_text", s.syncedStatuses(ctx, p, recrubo.StatusVacancy))
	if status != "" {
		text = p.t("embed.vacancy_not_synced_status", status) + " " + text
	}
	return title, p.notice("warning", p.t("embed.vacancy_not_synced_heading", title), text), nil
}
