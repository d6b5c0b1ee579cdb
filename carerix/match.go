package carerix

import (
	"context"
	"iter"
	"time"
)

// Match links a candidate to a vacancy (CRMatch, an application in a
// pipeline) and carries its stage.
type Match struct {
	// ID is the record's _id; it may be compound, e.g. "1234.5667".
	ID string
	// MatchID is the legacy key.
	MatchID string
	// EmployeeID and VacancyID are the _ids of the linked records.
	EmployeeID string
	VacancyID  string
	// Stage is the match stage (statusInfo); nil when unset.
	Stage            *MatchStage
	Deleted          bool
	CreationDate     time.Time
	ModificationDate time.Time
}

// MatchStage is a pipeline stage (CRStatusInfo). Stages are not data
// nodes.
type MatchStage struct {
	ID string
	// Label is the stage's name as Carerix shows it: the first of
	// displayName, name, label and statusName the tenant's API has.
	Label string
}

// wireMatch is CRMatch on the wire.
type wireMatch struct {
	ID               looseString `json:"_id"`
	MatchID          looseString `json:"matchID"`
	Deleted          looseBool   `json:"deleted"`
	CreationDate     jsonTime    `json:"creationDate"`
	ModificationDate jsonTime    `json:"modificationDate"`
	ToEmployee       *ref        `json:"toEmployee"`
	ToVacancy        *ref        `json:"toVacancy"`
	StatusInfo       *struct {
		ID    looseString `json:"_id"`
		Label string      `json:"label"`
	} `json:"statusInfo"`
}

func (w wireMatch) match() Match {
	m := Match{
		ID:               string(w.ID),
		MatchID:          string(w.MatchID),
		EmployeeID:       refID(w.ToEmployee),
		VacancyID:        refID(w.ToVacancy),
		Deleted:          bool(w.Deleted),
		CreationDate:     w.CreationDate.Time,
		ModificationDate: w.ModificationDate.Time,
	}
	if s := w.StatusInfo; s != nil {
		m.Stage = &MatchStage{ID: string(s.ID), Label: s.Label}
	}
	return m
}

// Match reads one match by _id. A missing match is ErrNotFound.
func (c *Client) Match(ctx context.Context, id string) (*Match, error) {
	return fetchOne(ctx, c, opMatch, opMatchPage, typeMatch, id, wireMatch.match)
}

// MatchPage reads one page of matches (crMatchPage).
func (c *Client) MatchPage(ctx context.Context, r PageRequest) (*Page[Match], error) {
	return fetchPage(ctx, c, opMatchPage, typeMatch, r, wireMatch.match)
}

// MatchPages reads several pages of matches in one request (fetchPages).
func (c *Client) MatchPages(ctx context.Context, rs []PageRequest) ([]*Page[Match], error) {
	return fetchPages(ctx, c, opMatchPage, typeMatch, rs, wireMatch.match)
}

// MatchPager returns a Pager over matches starting at r.Page.
func (c *Client) MatchPager(r PageRequest) *Pager[Match] {
	return NewPager(c.MatchPage, r)
}

// Matches iterates over all matches matching r, from page r.Page on.
func (c *Client) Matches(ctx context.Context, r PageRequest) iter.Seq2[Match, error] {
	return c.MatchPager(r).All(ctx)
}
