package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ChangeProvision is the change kind of provisioning records and verify links.
const ChangeProvision = "provision"

const provisionedItemColumns = `tenant_id, kind, key, remote_id, parent_id, hash, created_at, updated_at`

func scanProvisionedItem(r row) (*recrubo.ProvisionedItem, error) {
	var (
		it               recrubo.ProvisionedItem
		kind             string
		created, updated int64
	)
	if err := r.Scan(&it.TenantID, &kind, &it.Key, &it.RemoteID, &it.ParentID, &it.Hash, &created, &updated); err != nil {
		return nil, err
	}
	it.Kind = recrubo.ProvisionKind(kind)
	it.CreatedAt, it.UpdatedAt = timeMicro(created), timeMicro(updated)
	return &it, nil
}

// SaveProvisionedItem inserts or replaces the item (TenantID, Kind, Key),
// keeping its first CreatedAt and setting UpdatedAt to now.
func (q *queries) SaveProvisionedItem(ctx context.Context, it *recrubo.ProvisionedItem) error {
	if it.TenantID == "" || it.Kind == "" || it.Key == "" || it.RemoteID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A provisioned item needs a tenant, a kind, a key and a Carerix id.")
	}
	now := q.nowMicro()
	created := q.stamp(it.CreatedAt)
	_, err := q.q.exec(ctx, `INSERT INTO provisioned_items (`+provisionedItemColumns+`)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (tenant_id, kind, key) DO UPDATE SET remote_id = excluded.remote_id,
            parent_id = excluded.parent_id, hash = excluded.hash, updated_at = excluded.updated_at`,
		it.TenantID, string(it.Kind), it.Key, it.RemoteID, it.ParentID, it.Hash, created, now)
	if err != nil {
		return fmt.Errorf("saving provisioned %s %s: %w", it.Kind, it.Key, fkNotFound(err, it.TenantID))
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = timeMicro(created)
	}
	it.UpdatedAt = timeMicro(now)
	q.touch(it.TenantID, ChangeProvision, string(it.Kind)+":"+it.Key)
	return nil
}

// DeleteProvisionedItem forgets an item; a missing item is not an error.
func (q *queries) DeleteProvisionedItem(ctx context.Context, tenantID string, kind recrubo.ProvisionKind, key string) error {
	if _, err := q.q.exec(ctx, `DELETE FROM provisioned_items WHERE tenant_id = $1 AND kind = $2 AND key = $3`,
		tenantID, string(kind), key); err != nil {
		return fmt.Errorf("forgetting provisioned %s %s: %w", kind, key, err)
	}
	q.touch(tenantID, ChangeProvision, string(kind)+":"+key)
	return nil
}

// ProvisionedItems lists the tenant's items ordered by kind and key.
func (q *queries) ProvisionedItems(ctx context.Context, tenantID string) ([]*recrubo.ProvisionedItem, error) {
	items, err := collect(ctx, q.q, func(r rows) (*recrubo.ProvisionedItem, error) { return scanProvisionedItem(r) },
		`SELECT `+provisionedItemColumns+` FROM provisioned_items WHERE tenant_id = $1 ORDER BY kind, key`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("listing provisioned items: %w", err)
	}
	return items, nil
}

const provisionRunColumns = `id, tenant_id, action, state, summary, error, started_at, finished_at`

// SaveProvisionRun inserts or updates a run, assigning its ID when empty
// and StartedAt when zero.
func (q *queries) SaveProvisionRun(ctx context.Context, run *recrubo.ProvisionRun) error {
	if run.TenantID == "" || run.Action == "" || run.State == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A provisioning run needs a tenant, an action and a state.")
	}
	id := run.ID
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("generating provisioning run id: %w", err)
		}
		id = u.String()
	}
	started := q.stamp(run.StartedAt)
	n, err := q.q.exec(ctx, `INSERT INTO provision_runs (`+provisionRunColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, summary = excluded.summary,
            error = excluded.error, finished_at = excluded.finished_at
        WHERE provision_runs.tenant_id = excluded.tenant_id`,
		id, run.TenantID, run.Action, string(run.State), run.Summary, run.Error, started, microTime(run.FinishedAt))
	if err != nil {
		return fmt.Errorf("saving provisioning run: %w", fkNotFound(err, run.TenantID))
	}
	if n == 0 {
		return recrubo.Errorf(recrubo.ECONFLICT, "Provisioning run %q belongs to another tenant.", id)
	}
	run.ID, run.StartedAt = id, timeMicro(started)
	q.touch(run.TenantID, ChangeProvision, "run:"+id)
	return nil
}

// LatestProvisionRun returns the newest run, or ENOTFOUND.
func (q *queries) LatestProvisionRun(ctx context.Context, tenantID string) (*recrubo.ProvisionRun, error) {
	var (
		run               recrubo.ProvisionRun
		state             string
		started, finished int64
	)
	err := q.q.queryRow(ctx, `SELECT `+provisionRunColumns+` FROM provision_runs WHERE tenant_id = $1
        ORDER BY started_at DESC, id DESC LIMIT 1`, tenantID).
		Scan(&run.ID, &run.TenantID, &run.Action, &state, &run.Summary, &run.Error, &started, &finished)
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "The tenant has not been provisioned yet.")
	case err != nil:
		return nil, fmt.Errorf("reading latest provisioning run: %w", err)
	}
	run.State = recrubo.ProvisionState(state)
	run.StartedAt, run.FinishedAt = timeMicro(started), timeMicro(finished)
	return &run, nil
}

// SaveVerifyLink makes l the tenant's current verify link, replacing (and
// so revoking) the previous one.
func (q *queries) SaveVerifyLink(ctx context.Context, l *recrubo.VerifyLink) error {
	if l.TenantID == "" || l.ID == "" || l.ExpiresAt.IsZero() {
		return recrubo.Errorf(recrubo.EINVALID, "A verify link needs a tenant, an id and an expiry.")
	}
	issued := q.stamp(l.IssuedAt)
	if _, err := q.q.exec(ctx, `INSERT INTO verify_links (tenant_id, id, issued_at, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id) DO UPDATE SET id = excluded.id, issued_at = excluded.issued_at,
            expires_at = excluded.expires_at`,
		l.TenantID, l.ID, issued, microTime(l.ExpiresAt)); err != nil {
		return fmt.Errorf("saving verify link: %w", fkNotFound(err, l.TenantID))
	}
	l.IssuedAt = timeMicro(issued)
	q.touch(l.TenantID, ChangeProvision, "verify_link")
	return nil
}

// CurrentVerifyLink returns the tenant's current link, or ENOTFOUND.
func (q *queries) CurrentVerifyLink(ctx context.Context, tenantID string) (*recrubo.VerifyLink, error) {
	l := recrubo.VerifyLink{TenantID: tenantID}
	var issued, expires int64
	err := q.q.queryRow(ctx, `SELECT id, issued_at, expires_at FROM verify_links WHERE tenant_id = $1`, tenantID).
		Scan(&l.ID, &issued, &expires)
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "No verify link has been issued.")
	case err != nil:
		return nil, fmt.Errorf("reading verify link: %w", err)
	}
	l.IssuedAt, l.ExpiresAt = timeMicro(issued), timeMicro(expires)
	return &l, nil
}

// LastEventAt returns when the newest event of source was received for
// the tenant; zero when none was.
func (q *queries) LastEventAt(ctx context.Context, tenantID string, source recrubo.EventSource) (time.Time, error) {
	var last sql.NullInt64
	if err := q.q.queryRow(ctx, `SELECT max(received_at) FROM inbound_events WHERE tenant_id = $1 AND source = $2`,
		tenantID, string(source)).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("reading the last %s event: %w", source, err)
	}
	return timeMicro(last.Int64), nil
}
