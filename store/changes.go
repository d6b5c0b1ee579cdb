package store

import (
	"context"
	"sync"
	"sync/atomic"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Change kinds the store publishes. A Change's Kind is one of these, its
// TenantID the tenant it concerns and its ID the record's id where there is
// one (for status nodes, the status kind).
const (
	ChangeTenant         = "tenant"
	ChangeCandidate      = "candidate"
	ChangeVacancy        = "vacancy"
	ChangeMatch          = "match"
	ChangeRecruiter      = "recruiter"
	ChangeStatusNodes    = "status_nodes"
	ChangeSyncRun        = "sync_run"
	ChangeSyncCheckpoint = "sync_checkpoint"
	ChangeSyncStatus     = "sync_status"
	ChangeEvent          = "event"
	// ChangeResync says changes may have been missed: drop everything
	// derived from the store for TenantID, or for every tenant when
	// TenantID is empty. It is published after the change feed reconnects
	// and when a slow subscriber's buffer overflowed.
	ChangeResync = "resync"
)

// maxChangesPerTx bounds what one transaction publishes. A transaction that
// touches more records (a bulk sync page) publishes one tenant-wide resync
// per tenant instead: cheaper for every subscriber than thousands of
// per-record changes.
const maxChangesPerTx = 256

// subscriberBuffer is how many changes a subscriber may lag behind before
// it is sent a resync instead.
const subscriberBuffer = 1024

// changeSet collects the changes of one transaction, without duplicates.
type changeSet struct {
	seen map[recrubo.Change]struct{}
	list []recrubo.Change
}

func (s *changeSet) add(c recrubo.Change) {
	if s.seen == nil {
		s.seen = map[recrubo.Change]struct{}{}
	}
	if _, ok := s.seen[c]; ok {
		return
	}
	s.seen[c] = struct{}{}
	s.list = append(s.list, c)
}

// changes returns what to publish on commit.
func (s *changeSet) changes() []recrubo.Change {
	if len(s.list) <= maxChangesPerTx {
		return s.list
	}
	var out []recrubo.Change
	tenants := map[string]bool{}
	for _, c := range s.list {
		if !tenants[c.TenantID] {
			tenants[c.TenantID] = true
			out = append(out, recrubo.Change{TenantID: c.TenantID, Kind: ChangeResync})
		}
	}
	return out
}

// hub fans committed changes out to subscribers. publish never blocks:
// each subscriber has its own buffer and goroutine, so a slow subscriber
// delays only itself, and no lock is held while subscriber code runs.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	wg     sync.WaitGroup
}

type subscriber struct {
	fn   func(recrubo.Change)
	ch   chan recrubo.Change
	lost atomic.Bool   // a change was dropped because ch was full
	kick chan struct{} // wakes the goroutine after a drop
	stop chan struct{} // closed when the hub closes
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}} }

// subscribe registers fn until ctx is done or the hub closes. Changes
// published after subscribe returns are delivered.
func (h *hub) subscribe(ctx context.Context, fn func(recrubo.Change)) {
	s := &subscriber{
		fn:   fn,
		ch:   make(chan recrubo.Change, subscriberBuffer),
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.subs[s] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		defer func() {
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
		}()
		s.run(ctx)
	}()
}

func (s *subscriber) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case c := <-s.ch:
			s.fn(c)
		case <-s.kick:
		}
		if s.lost.Swap(false) {
			s.fn(recrubo.Change{Kind: ChangeResync})
		}
	}
}

// publish hands changes to every subscriber without waiting for any.
func (h *hub) publish(changes []recrubo.Change) {
	if len(changes) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		for _, c := range changes {
			select {
			case s.ch <- c:
			default:
				s.lost.Store(true)
				select {
				case s.kick <- struct{}{}:
				default:
				}
			}
		}
	}
}

// close stops every subscriber and waits for their goroutines (a
// subscriber's fn that is running finishes first).
func (h *hub) close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	for s := range h.subs {
		close(s.stop)
	}
	h.mu.Unlock()
	h.wg.Wait()
}
