package store

import (
	"context"
	"slices"
	"sync"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// writeThrough passes every DataStore call to the wrapped store and, for
// the writes that affect cached reads, reports what they touched. It is
// shared by Cached (which invalidates at once) and cachedTx (which collects
// until the transaction ends). A write is reported even when it fails: an
// error may come after the commit, and a needless invalidation is cheap.
type writeThrough struct {
	recrubo.DataStore
	touched func(recrubo.Change)
}

func (w writeThrough) touch(tenantID, kind, id string) {
	w.touched(recrubo.Change{TenantID: tenantID, Kind: kind, ID: id})
}

// CreateTenant creates a tenant and invalidates the tenant caches.
func (w writeThrough) CreateTenant(ctx context.Context, t *recrubo.Tenant) error {
	err := w.DataStore.CreateTenant(ctx, t)
	w.touch(t.ID, ChangeTenant, t.ID)
	return err
}

// UpdateTenant updates a tenant and invalidates the tenant caches.
func (w writeThrough) UpdateTenant(ctx context.Context, t *recrubo.Tenant) error {
	err := w.DataStore.UpdateTenant(ctx, t)
	w.touch(t.ID, ChangeTenant, t.ID)
	return err
}

// DeleteTenant deletes a tenant and invalidates everything cached for it.
func (w writeThrough) DeleteTenant(ctx context.Context, id string) error {
	err := w.DataStore.DeleteTenant(ctx, id)
	w.touch(id, ChangeTenant, id)
	return err
}

// UpsertCandidate upserts a candidate and invalidates its cached copy.
func (w writeThrough) UpsertCandidate(ctx context.Context, c *recrubo.Candidate) (bool, error) {
	ok, err := w.DataStore.UpsertCandidate(ctx, c)
	w.touch(c.TenantID, ChangeCandidate, c.ID)
	return ok, err
}

// RemoveCandidate removes a candidate and invalidates its cached copy.
func (w writeThrough) RemoveCandidate(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	ok, err := w.DataStore.RemoveCandidate(ctx, tenantID, id, asOf)
	w.touch(tenantID, ChangeCandidate, id)
	return ok, err
}

// UpsertVacancy upserts a vacancy and invalidates its cached copy.
func (w writeThrough) UpsertVacancy(ctx context.Context, v *recrubo.Vacancy) (bool, error) {
	ok, err := w.DataStore.UpsertVacancy(ctx, v)
	w.touch(v.TenantID, ChangeVacancy, v.ID)
	return ok, err
}

// RemoveVacancy removes a vacancy and invalidates its cached copy.
func (w writeThrough) RemoveVacancy(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	ok, err := w.DataStore.RemoveVacancy(ctx, tenantID, id, asOf)
	w.touch(tenantID, ChangeVacancy, id)
	return ok, err
}

// UpsertMatch upserts a match and invalidates the tenant's cached match listings.
func (w writeThrough) UpsertMatch(ctx context.Context, m *recrubo.Match) (bool, error) {
	ok, err := w.DataStore.UpsertMatch(ctx, m)
	w.touch(m.TenantID, ChangeMatch, m.ID)
	return ok, err
}

// RemoveMatch removes a match and invalidates the tenant's cached match listings.
func (w writeThrough) RemoveMatch(ctx context.Context, tenantID, id string, asOf time.Time) (bool, error) {
	ok, err := w.DataStore.RemoveMatch(ctx, tenantID, id, asOf)
	w.touch(tenantID, ChangeMatch, id)
	return ok, err
}

// UpsertRecruiter upserts a recruiter and invalidates it and the recruiter listing.
func (w writeThrough) UpsertRecruiter(ctx context.Context, r *recrubo.Recruiter) (bool, error) {
	ok, err := w.DataStore.UpsertRecruiter(ctx, r)
	w.touch(r.TenantID, ChangeRecruiter, r.ID)
	return ok, err
}

// ReplaceStatusNodes replaces status nodes and invalidates their cached listing.
func (w writeThrough) ReplaceStatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind, nodes []*recrubo.StatusNode) error {
	err := w.DataStore.ReplaceStatusNodes(ctx, tenantID, kind, nodes)
	w.touch(tenantID, ChangeStatusNodes, string(kind))
	return err
}

// SaveSyncStatus saves a sync status and invalidates its cached copy.
func (w writeThrough) SaveSyncStatus(ctx context.Context, st *recrubo.SyncStatus) error {
	err := w.DataStore.SaveSyncStatus(ctx, st)
	w.touch(st.TenantID, ChangeSyncStatus, st.TenantID)
	return err
}

// cachedTx is the transaction Cached.InTx hands out.
type cachedTx struct {
	writeThrough
	tx recrubo.Tx
}

var _ recrubo.Tx = (*cachedTx)(nil)

// Enqueue enqueues a job in the transaction.
func (t *cachedTx) Enqueue(ctx context.Context, args recrubo.JobArgs, opts *recrubo.JobOptions) error {
	return t.tx.Enqueue(ctx, args, opts)
}

// changeLog collects a transaction's changes; a transaction's function may
// hand the tx to several goroutines.
type changeLog struct {
	mu   sync.Mutex
	list []recrubo.Change
}

func (l *changeLog) add(c recrubo.Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, c)
}

func (l *changeLog) replay(fn func(recrubo.Change)) {
	l.mu.Lock()
	list := slices.Clone(l.list)
	l.mu.Unlock()
	for _, c := range list {
		fn(c)
	}
}

// Copies. The cache keeps one copy of each value and hands out others, so
// no two readers ever share a pointer.

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneList[T any](clone func(*T) *T) func([]*T) []*T {
	return func(s []*T) []*T {
		if s == nil {
			return nil
		}
		out := make([]*T, len(s))
		for i, p := range s {
			out[i] = clone(p)
		}
		return out
	}
}

// cloneTenant copies t and every list in it, so that neither the cache's
// value nor the caller's copy sees what the other changes.
func cloneTenant(t *recrubo.Tenant) *recrubo.Tenant { return t.Clone() }

// uncopied hands out the cache's own value, for readers that only read
// it (see SharedTenantBySlug).
func uncopied[T any](v T) T { return v }

func cloneStatusNode(n *recrubo.StatusNode) *recrubo.StatusNode {
	if n == nil {
		return nil
	}
	c := *n
	c.ParentTags = slices.Clone(n.ParentTags)
	return &c
}
