package server

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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

// localsWaited holds how long a request waited for a change
// (answerOnChange).
const localsWaited = "waited"

// waitedOf is how long the request waited for a change.
func waitedOf(c *fiber.Ctx) time.Duration {
	w, _ := c.Locals(localsWaited).(time.Duration)
	return w
}

// notModified sets the answer's ETag, and that it is not to be cached,
// and reports whether the request holds that ETag already (a 304).
func notModified(c *fiber.Ctx, etag string) bool {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderETag, etag)
	return heldETag(c) == etag
}

// maxWait is the longest a request may ask to wait, in seconds:
// well under the idle timeouts of proxies and load balancers (60 s
// commonly).
const maxWait = 25

// ChangeWaits wakes waiting requests when their tenant's conversations
// change: a request watching one conversation (a thread) when that
// conversation changes, one watching the whole tenant (the list) when any
// does. The zero value is not usable; make one with NewChangeWaits. Safe
// for concurrent use.
type ChangeWaits struct {
	kinds []string

	mu sync.Mutex
	// next holds, per tenant and scope (a conversation id, or "" for the
	// whole tenant), a channel closed at the scope's next change.
	next map[string]map[string]chan struct{}

	closeOnce sync.Once
	closed    chan struct{}

	waiting atomic.Int64 // requests waiting now
}

// Waiting reports how many requests wait for a change now.
func (w *ChangeWaits) Waiting() int { return int(w.waiting.Load()) }

// NewChangeWaits returns ChangeWaits woken by changes of the given kinds
// (the store's kinds for messages, conversations and resyncs); with
// none, by every change. A change's ID names the conversation it
// touched; one without an ID wakes every request of its tenant, and one
// without a tenant (as after a lost notification) every request.
func NewChangeWaits(kinds ...string) *ChangeWaits {
	return &ChangeWaits{kinds: kinds, next: map[string]map[string]chan struct{}{}, closed: make(chan struct{})}
}

// Notify wakes the requests the change concerns. Pass it to the store's
// Subscribe.
func (w *ChangeWaits) Notify(ch recrubo.Change) {
	if ch.TenantID != "" && len(w.kinds) > 0 && !slices.Contains(w.kinds, ch.Kind) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	wake := func(tenantID string, scopes map[string]chan struct{}, all bool) {
		for scope, c := range scopes {
			if all || scope == "" || scope == ch.ID {
				close(c)
				delete(scopes, scope)
			}
		}
		if len(scopes) == 0 {
			delete(w.next, tenantID)
		}
	}
	if ch.TenantID == "" {
		for id, scopes := range w.next {
			wake(id, scopes, true)
		}
		return
	}
	if scopes, ok := w.next[ch.TenantID]; ok {
		wake(ch.TenantID, scopes, ch.ID == "")
	}
}

// changed returns a channel closed at the next change of the tenant's
// scope: a conversation id, or "" for any of the tenant's. A request
// takes it before it reads, so no change between the read and the wait
// goes unseen.
func (w *ChangeWaits) changed(tenantID, scope string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	scopes, ok := w.next[tenantID]
	if !ok {
		scopes = map[string]chan struct{}{}
		w.next[tenantID] = scopes
	}
	c, ok := scopes[scope]
	if !ok {
		c = make(chan struct{})
		scopes[scope] = c
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
	waits.waiting.Add(1)
	defer waits.waiting.Add(-1)
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

// parseWait parses a request's wait (whole seconds, 0 to maxWait);
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
// its ETag, how to send it (304 when it is the ETag the request holds),
// and the scope to watch from then on (the conversation it shows, or ""
// for all of the tenant's). Without ?wait=N, without an ETag held, or
// without waits, it answers at once; else it reads again after each
// change of the scope until the ETag differs or N seconds have passed.
// Before the first read the scope is unknown, so the first wait watches
// the whole tenant.
func (s *Server) answerOnChange(c *fiber.Ctx, tenantID string, read func(ctx context.Context) (etag string, send func() error, scope string, err error)) error {
	wait, err := parseWait(c.Query("wait"))
	if err != nil {
		return err
	}
	waits, held := s.deps.Embeds.Waits, heldETag(c)
	if waits == nil || held == "" {
		wait = 0
	}
	ctx := c.UserContext()
	deadline := time.Now().Add(wait)
	scope := ""
	for {
		var changed <-chan struct{}
		if wait > 0 {
			changed = waits.changed(tenantID, scope)
		}
		at := time.Now()
		etag, send, next, err := read(ctx)
		if err != nil {
			return err
		}
		if changed == nil || etag != held {
			return send()
		}
		// The time spent waiting is the client's choice, not the
		// server's work: observe leaves it out of the latency.
		start := time.Now()
		woken := waitForChange(ctx, waits, changed, at, deadline)
		c.Locals(localsWaited, waitedOf(c)+time.Since(start))
		if !woken {
			return send()
		}
		scope = next
	}
}
