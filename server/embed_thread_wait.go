package server

import (
	"slices"
	"sync"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// A thread poll may wait: with ?wait=N and the ETag the page holds, the
// answer comes when the thread changes, or after N seconds as "not
// modified", instead of at once. The page then asks again, so a message
// shows as soon as it is stored, not at the page's next poll. Waiting
// polls wake on their tenant's changes through the store's change feed,
// which reaches every instance.

// maxThreadWait is the longest a thread poll may ask to wait, in seconds:
// well under the idle timeouts of proxies and load balancers (60 s
// commonly).
const maxThreadWait = 25

// ThreadWaits wakes waiting thread polls when their tenant's
// conversations change. The zero value is not usable; make one with
// NewThreadWaits. Safe for concurrent use.
type ThreadWaits struct {
	kinds []string

	mu   sync.Mutex
	next map[string]chan struct{} // tenant id → closed at its next change

	closeOnce sync.Once
	closed    chan struct{}
}

// NewThreadWaits returns ThreadWaits woken by changes of the given kinds
// (the store's kinds for messages and conversations); with none, by
// every change.
func NewThreadWaits(kinds ...string) *ThreadWaits {
	return &ThreadWaits{kinds: kinds, next: map[string]chan struct{}{}, closed: make(chan struct{})}
}

// Notify wakes the polls waiting on the change's tenant (every waiting
// poll when it names none, as after a lost notification). Pass it to the
// store's Subscribe.
func (w *ThreadWaits) Notify(ch recrubo.Change) {
	if ch.TenantID != "" && len(w.kinds) > 0 && !slices.Contains(w.kinds, ch.Kind) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch.TenantID == "" {
		for id, c := range w.next {
			close(c)
			delete(w.next, id)
		}
		return
	}
	if c, ok := w.next[ch.TenantID]; ok {
		close(c)
		delete(w.next, ch.TenantID)
	}
}

// changed returns a channel closed at the tenant's next change. A poll
// takes it before it reads the thread, so no change between the read
// and the wait goes unseen.
func (w *ThreadWaits) changed(tenantID string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.next[tenantID]
	if !ok {
		c = make(chan struct{})
		w.next[tenantID] = c
	}
	return c
}

// Close ends every wait, now and later: the polls answer at once. The
// server's Shutdown calls it, so that no poll holds a connection open.
func (w *ThreadWaits) Close() {
	w.closeOnce.Do(func() { close(w.closed) })
}
