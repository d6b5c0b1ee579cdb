package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const vacancyColumns = `tenant_id, id, title, company_name, status_id, status_label, owner_id, stable_hash,
    modified_at, synced_at`

func scanVacancy(r row) (*recrubo.Vacancy, error) {
	var (
		v                recrubo.Vacancy
		modified, synced int64
	)
	err := r.Scan(&v.TenantID, &v.ID, &v.Title, &v.CompanyName, &v.StatusID, &v.StatusLabel, &v.OwnerID,
		&v.StableHash, &modified, &synced)
	if err != nil {
		return nil, err
	}
	v.ModifiedAt, v.SyncedAt = timeMicro(modified), timeMicro(synced)
	return &v, nil
}

func scanVacancies(r rows) (*recrubo.Vacancy, error) { return scanVacancy(r) }

// UpsertVacancy stores v unless the stored copy or a tombstone is newer,
// or the stored copy has the same modification time and fields, and
// reports whether v was applied.
func (q *queries) UpsertVacancy(ctx context.Context, v *recrubo.Vacancy) (bool, error) {
	if err := checkUpsert("vacancy", v.TenantID, v.ID, v.ModifiedAt); err != nil {
		return false, err
	}
	n, err := q.q.exec(ctx, `INSERT INTO vacancies (tenant_id, id, title, company_name, status_id, status_label,
            owner_id, stable_hash, search, modified_at, synced_at, content_hash, removed, search_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, FALSE, $13)
        ON CONFLICT (tenant_id, id) DO UPDATE SET title = excluded.title, company_name = excluded.company_name,
            status_id = excluded.status_id, status_label = excluded.status_label, owner_id = excluded.owner_id,
            stable_hash = excluded.stable_hash, search = excluded.search, search_version = excluded.search_version,
            modified_at = excluded.modified_at,
            synced_at = excluded.synced_at, content_hash = excluded.content_hash, removed = FALSE
        WHERE `+fmt.Sprintf(changedWins, "vacancies"),
		v.TenantID, v.ID, v.Title, v.CompanyName, v.StatusID, v.StatusLabel, v.OwnerID, v.StableHash,
		searchText(v.Title, v.CompanyName), v.ModifiedAt.UnixMicro(), q.stamp(v.SyncedAt),
		contentHash(v.Title, v.CompanyName, v.StatusID, v.StatusLabel, v.OwnerID, v.StableHash), searchFoldVersion)
	if err != nil {
		return false, fmt.Errorf("upserting vacancy %s: %w", v.ID, fkNotFound(err, v.TenantID))
	}
	if n > 0 {
		q.touch(v.TenantID, ChangeVacancy, v.ID)
	}
	return n > 0, nil
}

// RemoveVacancy removes a vacancy as of asOf and leaves a tombstone.
func (q *queries) RemoveVacancy(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	return q.remove(ctx, vacanciesTable(), tenantID, id, asOf)
}

// Vacancy returns ENOTFOUND if the vacancy is not in the mirror.
func (q *queries) Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error) {
	v, err := scanVacancy(q.q.queryRow(ctx, `SELECT `+vacancyColumns+` FROM vacancies
        WHERE tenant_id = $1 AND id = $2 AND NOT removed`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Vacancy %q is not in the mirror.", id)
	case err != nil:
		return nil, fmt.Errorf("reading vacancy %s: %w", id, err)
	}
	return v, nil
}

// Vacancies lists vacancies by id after opts.AfterID, optionally those whose
// title or company contains opts.Query.
func (q *queries) Vacancies(ctx context.Context, tenantID string, opts recrubo.ListOptions) ([]*recrubo.Vacancy, error) {
	vs, err := collect(ctx, q.q, scanVacancies, `SELECT `+vacancyColumns+` FROM vacancies
        WHERE tenant_id = $1 AND NOT removed AND id > $2 AND search LIKE $3 ESCAPE '\'
        ORDER BY id LIMIT $4`, tenantID, opts.AfterID, likePattern(opts.Query), listLimit(opts.Limit))
	if err != nil {
		return nil, fmt.Errorf("listing vacancies: %w", err)
	}
	return vs, nil
}

// CountVacancies counts the tenant's mirrored vacancies.
func (q *queries) CountVacancies(ctx context.Context, tenantID string) (int64, error) {
	return q.count(ctx, vacanciesTable(), tenantID)
}

// VacancyIDs streams every mirrored vacancy id in order.
func (q *queries) VacancyIDs(ctx context.Context, tenantID string, fn func(id string) error) error {
	return q.streamIDs(ctx, vacanciesTable(), tenantID, fn)
}
