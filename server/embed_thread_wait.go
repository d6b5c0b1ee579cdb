package server

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

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

// threadRecheck is the least time between two reads of a waiting poll's
// thread: a burst of changes (a broadcast, a sync) costs each waiting
// poll a few reads a second at most.
const threadRecheck = 200 * time.Millisecond

// waitForChange waits until changed is closed and at least
// threadRecheck has passed since read (true), or until the deadline,
// the end of ctx or of the waits (false).
func waitForChange(ctx context.Context, waits *ThreadWaits, changed <-chan struct{}, read, deadline time.Time) bool {
	until := time.NewTimer(time.Until(deadline))
	defer until.Stop()
	select {
	case <-changed:
	case <-until.C:
		return false
	case <-ctx.Done():
		return false
	case <-waits.closed:
		return false
	}
	if pause := time.Until(read.Add(threadRecheck)); pause > 0 {
		t := time.NewTimer(pause)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-waits.closed:
		}
	}
	return true
}

// threadWait parses a poll's wait (whole seconds, 0 to maxThreadWait);
// anything else is EINVALID.
func threadWait(raw string) (time.Duration, error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxThreadWait {
		return 0, recrubo.E(recrubo.EINVALID, "embed.error.bad_wait", maxThreadWait)
	}
	return time.Duration(n) * time.Second, nil
}
