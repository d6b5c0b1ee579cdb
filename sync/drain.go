package carerixsync

import (
	"context"
	"fmt"
	"sync"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// How stored webhook events reach processing.
//
// A delivery is acknowledged once its event row is committed: the row,
// unprocessed, is the durable queue entry. Processing runs in drain jobs,
// one per tenant at a time, that work through the tenant's waiting events
// oldest first. A burst of deliveries costs one job, not one per event:
// after a commit the ingest enqueues a drain unless it enqueued one for
// the tenant within the coalescing window, and every drain waits until
// its window has passed before it reads the queue, so an event that
// relied on an earlier drain committed before that drain reads. A
// delivery whose drain was never enqueued (the process stopped between
// commit and enqueue) is found by Sweep, which the sync loop runs.

// drainWindow is the coalescing window: deliveries within it share a
// drain job. It adds at most this much to webhook-to-visible latency.
const drainWindow = 25 * time.Millisecond

// drainBatch is how many waiting events a drain reads at once by
// default: each record the batch names is read once, and the read also
// settles the record's events waiting beyond the batch (batch.go).
// drainBudget is how long one drain job works before it hands over to a
// new one (so a steady stream cannot hold a worker for ever).
const (
	drainBatch  = 1000
	drainBudget = time.Minute
)

// sweepAfter is how long an event may wait before the sync loop's sweep
// enqueues a drain for its tenant.
const sweepAfter = 10 * time.Second

// DrainArgs process a tenant's waiting Carerix webhook events, not before
// NotBefore.
type DrainArgs struct {
	TenantID  string    `json:"tenant_id"`
	NotBefore time.Time `json:"not_before,omitzero"`
}

// Kind implements recrubo.JobArgs.
func (DrainArgs) Kind() string { return "sync.drain" }

// drainKicker remembers, per tenant, when this instance last enqueued a
// drain job.
type drainKicker struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func newDrainKicker() *drainKicker { return &drainKicker{last: map[string]time.Time{}} }

// due reports whether a drain must be enqueued for tenantID at now, and
// if so records it. A failed enqueue calls forget so the next delivery
// tries again.
func (k *drainKicker) due(tenantID string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if last, ok := k.last[tenantID]; ok && now.Sub(last) < drainWindow && !now.Before(last) {
		return false
	}
	if len(k.last) > 10_000 {
		clear(k.last)
	}
	k.last[tenantID] = now
	return true
}

func (k *drainKicker) forget(tenantID string) {
	k.mu.Lock()
	delete(k.last, tenantID)
	k.mu.Unlock()
}

// drainGates let one drain job per tenant at a time in this instance
// go on to take the tenant's drain lock.
type drainGates struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

func newDrainGates() *drainGates { return &drainGates{m: map[string]chan struct{}{}} }

// enter waits until no other drain of tenantID in this instance is past
// the gate, or ctx ends; leave lets the next one through.
func (g *drainGates) enter(ctx context.Context, tenantID string) (leave func(), err error) {
	g.mu.Lock()
	ch := g.m[tenantID]
	if ch == nil {
		ch = make(chan struct{}, 1)
		g.m[tenantID] = ch
	}
	g.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the drain of tenant %s: %w", tenantID, ctx.Err())
	}
}

// kick enqueues a drain for tenantID unless one enqueued within the
// window will still read the queue. Errors are logged, not returned: the
// event is stored and the sweep will find it.
func (s *Service) kick(ctx context.Context, tenantID string) {
	now := s.now()
	if !s.kicker.due(tenantID, now) {
		return
	}
	if err := s.store.Enqueue(ctx, DrainArgs{TenantID: tenantID, NotBefore: now.Add(drainWindow)}, nil); err != nil {
		s.kicker.forget(tenantID)
		s.log.WarnContext(ctx, "enqueueing webhook processing; the sweep will retry", "tenant", tenantID, "err", err)
	}
}

// drainJob processes the tenant's waiting events, oldest first, a batch
// at a time (batch.go), until none is left or its budget is spent.
func (s *Service) drainJob(ctx context.Context, args DrainArgs) error {
	if wait := args.NotBefore.Sub(s.now()); wait > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(wait, drainWindow)):
		}
	}
	// One drain per tenant at a time, across instances on PostgreSQL; a
	// second one waits and then finds what the first left, so a tenant's
	// events apply in the order they arrived. Drains of one instance wait
	// at its gate first, so no more than one of them waits for the
	// database's lock, which holds a connection while it waits.
	leave, err := s.gates.enter(ctx, args.TenantID)
	if err != nil {
		return err
	}
	defer leave()
	unlock, err := s.store.Lock(ctx, "drain:"+args.TenantID)
	if err != nil {
		return err
	}
	defer unlock()
	stop := s.now().Add(drainBudget)
	for {
		ids, err := s.store.WaitingEvents(ctx, args.TenantID, recrubo.SourceCarerix, s.drainBatch)
		if err != nil {
			return fmt.Errorf("reading waiting events: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := s.applyBatch(ctx, args.TenantID, ids, stop); err != nil {
			return err
		}
		if s.now().After(stop) {
			return s.store.Enqueue(ctx, DrainArgs{TenantID: args.TenantID}, &recrubo.JobOptions{UniqueByArgs: true})
		}
	}
}

// Sweep enqueues a drain for every tenant with a webhook event waiting
// longer than it should (10 s): deliveries whose drain was never
// enqueued. The sync loop runs it with every tick.
func (s *Service) Sweep(ctx context.Context) error {
	tenants, err := s.store.TenantsWithWaitingEvents(ctx, recrubo.SourceCarerix, s.now().Add(-sweepAfter))
	if err != nil {
		return err
	}
	for _, id := range tenants {
		if err := s.store.Enqueue(ctx, DrainArgs{TenantID: id}, &recrubo.JobOptions{UniqueByArgs: true}); err != nil {
			return fmt.Errorf("enqueueing a drain for tenant %s: %w", id, err)
		}
	}
	return nil
}
