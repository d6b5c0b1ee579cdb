package carerix

import (
	"context"
	"iter"
	"time"
)

// Vacancy is a job order (CRVacancy). In Carerix a "job" (CRJob) is a
// placement, not a vacancy.
type Vacancy struct {
	// ID is the record's _id (opaque).
	ID string
	// VacancyID is the legacy numeric key.
	VacancyID string
	// VacancyNo is the number recruiters know the vacancy by, where the
	// tenant's API has it.
	VacancyNo string
	JobTitle  string
	// TitleInformation is the published title text.
	TitleInformation string
	Deleted          bool
	CreationDate     time.Time
	ModificationDate time.Time
	// StableHash is Carerix's stableHash; it changes whenever the record
	// changes. Empty where the tenant's API has none (Contract).
	StableHash string
	// Status is the vacancy status node (toStatusNode) with parent tags.
	Status *DataNode
	// CompanyID and CompanyName identify the client company.
	CompanyID   string
	CompanyName string
	// OwnerID is the _id of the owning recruiter (CRUser), if any.
	OwnerID string
}

// wireVacancy is CRVacancy on the wire.
type wireVacancy struct {
	ID               looseString   `json:"_id"`
	VacancyID        looseString   `json:"vacancyID"`
	VacancyNo        looseString   `json:"vacancyNo"`
	JobTitle         string        `json:"jobTitle"`
	TitleInformation string        `json:"titleInformation"`
	Deleted          looseBool     `json:"deleted"`
	CreationDate     jsonTime      `json:"creationDate"`
	ModificationDate jsonTime      `json:"modificationDate"`
	StableHash       string        `json:"stableHash"`
	ToStatusNode     *wireDataNode `json:"toStatusNode"`
	ToCompany        *struct {
		ID   looseString `json:"_id"`
		Name string      `json:"name"`
	} `json:"toCompany"`
	Owner *ref `json:"owner"`
}

func (w wireVacancy) vacancy() Vacancy {
	v := Vacancy{
		ID:               string(w.ID),
		VacancyID:        string(w.VacancyID),
		VacancyNo:        string(w.VacancyNo),
		JobTitle:         w.JobTitle,
		TitleInformation: w.TitleInformation,
		Deleted:          bool(w.Deleted),
		CreationDate:     w.CreationDate.Time,
		ModificationDate: w.ModificationDate.Time,
		StableHash:       w.StableHash,
		Status:           dataNodePtr(w.ToStatusNode),
		OwnerID:          refID(w.Owner),
	}
	if w.ToCompany != nil {
		v.CompanyID, v.CompanyName = string(w.ToCompany.ID), w.ToCompany.Name
	}
	return v
}

// Vacancy reads one vacancy by _id. A missing vacancy is ErrNotFound.
func (c *Client) Vacancy(ctx context.Context, id string) (*Vacancy, error) {
	return fetchOne(ctx, c, opVacancy, opVacancyPage, typeVacancy, id, wireVacancy.vacancy)
}

// VacancyPage reads one page of vacancies (crVacancyPage).
func (c *Client) VacancyPage(ctx context.Context, r PageRequest) (*Page[Vacancy], error) {
	return fetchPage(ctx, c, opVacancyPage, typeVacancy, r, wireVacancy.vacancy)
}

// VacancyPages reads several pages of vacancies in one request (fetchPages).
func (c *Client) VacancyPages(ctx context.Context, rs []PageRequest) ([]*Page[Vacancy], error) {
	return fetchPages(ctx, c, opVacancyPage, typeVacancy, rs, wireVacancy.vacancy)
}

// VacancyPager returns a Pager over vacancies starting at r.Page.
func (c *Client) VacancyPager(r PageRequest) *Pager[Vacancy] {
	return NewPager(c.VacancyPage, r)
}

// Vacancies iterates over all vacancies matching r, from page r.Page on.
func (c *Client) Vacancies(ctx context.Context, r PageRequest) iter.Seq2[Vacancy, error] {
	return c.VacancyPager(r).All(ctx)
}
