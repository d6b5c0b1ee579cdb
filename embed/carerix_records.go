package embed

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/patrickmn/go-cache"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// CarerixRecords reads what a framed page shows that the mirror does not
// hold, through each tenant's integration account: a vacancy outside the
// tenant's status filter (for the explanation on its page), and the
// vacancies a candidate is matched to in Carerix (so the inbox can say how
// many of them are not synced). Answers are kept for a while, so a page
// that is opened again does not ask again. Safe for concurrent use.
type CarerixRecords struct {
	pool  *carerix.Pool
	cache *cache.Cache
}

// maxMatchesRead bounds how many of a candidate's matches are read.
const maxMatchesRead = 500

// NewCarerixRecords returns a reader whose answers live ttl (a minute
// when zero). pool builds each tenant's Carerix client (nil: a pool of
// its own).
func NewCarerixRecords(pool *carerix.Pool, ttl time.Duration) *CarerixRecords {
	if pool == nil {
		pool = carerix.NewPool(nil, nil)
	}
	if ttl <= 0 {
		ttl = time.Minute
	}
	return &CarerixRecords{pool: pool, cache: cache.New(ttl, 2*ttl)}
}

// Vacancy returns the vacancy as Carerix has it now, in the tenant's
// scope or not (its status is the vacancy's own). A vacancy Carerix does
// not have, or has deleted, is ENOTFOUND; an unreachable Carerix is
// EUNAVAILABLE.
func (r *CarerixRecords) Vacancy(ctx context.Context, t *recrubo.Tenant, id string) (*recrubo.Vacancy, error) {
	key := t.ID + "|vacancy|" + id
	if v, ok := r.cache.Get(key); ok {
		c := *v.(*recrubo.Vacancy)
		return &c, nil
	}
	c, err := r.pool.Client(t)
	if err != nil {
		return nil, err
	}
	v, err := c.Vacancy(ctx, id)
	switch {
	case errors.Is(err, carerix.ErrNotFound) || err == nil && v.Deleted:
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Vacancy %q is not in Carerix.", id)
	case err != nil:
		return nil, recrubo.WrapE(recrubo.EUNAVAILABLE, err, "embed.error.carerix_unavailable")
	}
	out := &recrubo.Vacancy{TenantID: t.ID, ID: v.ID, Title: strings.TrimSpace(v.JobTitle),
		CompanyName: strings.TrimSpace(v.CompanyName), OwnerID: v.OwnerID, StableHash: v.StableHash,
		ModifiedAt: v.ModificationDate}
	if out.Title == "" {
		out.Title = strings.TrimSpace(v.TitleInformation)
	}
	if v.Status != nil {
		out.StatusID, out.StatusLabel = v.Status.ID, v.Status.Value
	}
	stored := *out
	r.cache.SetDefault(key, &stored)
	return out, nil
}

// MatchedVacancyIDs returns the vacancies (not deleted) the candidate is
// matched to in Carerix, whatever their status; an unreachable Carerix is
// EUNAVAILABLE.
func (r *CarerixRecords) MatchedVacancyIDs(ctx context.Context, t *recrubo.Tenant, candidateID string) ([]string, error) {
	key := t.ID + "|matches|" + candidateID
	if v, ok := r.cache.Get(key); ok {
		return append([]string(nil), v.([]string)...), nil
	}
	c, err := r.pool.Client(t)
	if err != nil {
		return nil, err
	}
	q := carerix.And(carerix.Eq("toEmployee._id", candidateID), carerix.Eq("toVacancy.deleted", false))
	qs, err := q.Build()
	if err != nil {
		return nil, err
	}
	var ids []string
	for m, err := range c.Matches(ctx, carerix.PageRequest{Qualifier: qs, Size: 100}) {
		if err != nil {
			return nil, recrubo.WrapE(recrubo.EUNAVAILABLE, err, "embed.error.carerix_unavailable")
		}
		if !m.Deleted && m.VacancyID != "" {
			ids = append(ids, m.VacancyID)
		}
		if len(ids) == maxMatchesRead {
			break
		}
	}
	r.cache.SetDefault(key, append([]string(nil), ids...))
	return ids, nil
}
