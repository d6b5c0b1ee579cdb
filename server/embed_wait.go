package server

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// A page's request for its thread or its conversation list may wait:
// with ?wait=N and the ETag the page holds, the answer comes when what it
// shows changes, or after N seconds (as "not modified" if nothing did),
// instead of at once. The page then asks again, so a message shows as
// soon as it is stored, not at the page's next poll. Waiting requests
// wake on their tenant's changes through the store's change feed, which
// reaches every instance.

// maxWait is the longest a request may ask to wait, in seconds:
// well under the idle timeouts of proxies and load balancers (60 s
// commonly).
const maxWait = 25

// ChangeWaits wakes waiting requests when their tenant's conversations
// change. The zero value is not usable; make one with
// NewChangeWaits. Safe for concurrent use.
type ChangeWaits struct {
	kinds []string

	mu   sync.Mutex
	next map[string]chan struct{} // tenant id → closed at its next change

	closeOnce sync.Once
	closed    chan struct{}
}

// NewChangeWaits returns ChangeWaits woken by changes of the given kinds
// (the store's kinds for messages and conversations); with none, by
// every change.
func NewChangeWaits(kinds ...string) *ChangeWaits {
	return &ChangeWaits{kinds: kinds, next: map[string]chan struct{}{}, closed: make(chan struct{})}
}

// Notify wakes the requests waiting on the change's tenant (every
// waiting request when it names none, as after a lost notification).
// Pass it to the store's Subscribe.
func (w *ChangeWaits) Notify(ch recrubo.Change) {
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

// changed returns a channel closed at the tenant's next change. A
// request takes it before it reads, so no change between the read and
// the wait goes unseen.
func (w *ChangeWaits) changed(tenantID string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.next[tenantID]
	if !ok {
		c = make(chan struct{})
		w.next[tenantID] = c
	}
	return c
}

// Close ends every wait, now and later: the requests answer at once. The
// server's Shutdown calls it, so that no request holds a connection open.
func (w *ChangeWaits) Close() {
	w.closeOnce.Do(func() { close(w.closed) })
}

// waitRecheck is the least time between two reads of a waiting request:
// a burst of changes (a broadcast, a sync) costs each waiting request a
// few reads a second at most.
const waitRecheck = 200 * time.Millisecond

// waitForChange waits until changed is closed and at least
// waitRecheck has passed since read (true), or until the deadline,
// the end of ctx or of the waits (false).
func waitForChange(ctx context.Context, waits *ChangeWaits, changed <-chan struct{}, read, deadline time.Time) bool {
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
	if pause := time.Until(read.Add(waitRecheck)); pause > 0 {
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

// threadWait parses a poll's wait (whole seconds, 0 to maxWait);
// anything else is EINVALID.
func parseWait(raw string) (time.Duration, error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxWait {
		return 0, recrubo.E(recrubo.EINVALID, "embed.error.bad_wait", maxWait)
	}
	return time.Duration(n) * time.Second, nil
}

// answerOnChange answers a request that may wait for a change of the
// tenant's conversations. read reads what the answer shows and returns
// its ETag and how to send it (304 when it is the ETag the request
// holds). Without ?wait=N, without an ETag held, or without waits, it
// answers at once; else it reads again after each change until the ETag
// differs or N seconds have passed.
func (s *Server) answerOnChange(c *fiber.Ctx, tenantID string, read func(ctx context.Context) (etag string, send func() error, err error)) error {
	wait, err := parseWait(c.Query("wait"))
	if err != nil {
		return err
	}
	waits, held := s.deps.Embeds.Waits, c.Get(fiber.HeaderIfNoneMatch)
	if waits == nil || held == "" {
		wait = 0
	}
	ctx := c.UserContext()
	deadline := time.Now().Add(wait)
	for {
		var changed <-chan struct{}
		if wait > 0 {
			changed = waits.changed(tenantID)
		}
		at := time.Now()
		etag, send, err := read(ctx)
		if err != nil {
			return err
		}
		if changed == nil || etag != held || !waitForChange(ctx, waits, changed, at, deadline) {
			return send()
		}
	}
}
