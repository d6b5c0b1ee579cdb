package embed

import (
	"sync"
	"sync/atomic"
	"time"
)

// expiring is a map whose entries expire after a time to live, for what
// every page load reads and few write (proof modes, Carerix's answers).
// Reads take no lock: go-cache's read lock writes a counter that every
// core then fights over on every page load. Expired entries are dropped
// when read, and all of them at most once per sweep interval, by a write.
type expiring struct {
	m     sync.Map // string → *expiringEntry
	ttl   time.Duration
	sweep time.Duration
	swept atomic.Int64 // unix nanoseconds of the last sweep
}

type expiringEntry struct {
	v       any
	expires int64 // unix nanoseconds
}

// newExpiring returns a map whose entries live ttl unless Set says
// otherwise, swept of expired entries at most every sweep.
func newExpiring(ttl, sweep time.Duration) *expiring {
	e := &expiring{ttl: ttl, sweep: sweep}
	e.swept.Store(time.Now().UnixNano())
	return e
}

// Get returns the value of k, unless there is none or it has expired.
func (e *expiring) Get(k string) (any, bool) {
	v, ok := e.m.Load(k)
	if !ok {
		return nil, false
	}
	en := v.(*expiringEntry)
	if time.Now().UnixNano() >= en.expires {
		e.m.CompareAndDelete(k, en)
		return nil, false
	}
	return en.v, true
}

// Set stores v under k for ttl (the map's own when ttl <= 0).
func (e *expiring) Set(k string, v any, ttl time.Duration) {
	if ttl <= 0 {
		ttl = e.ttl
	}
	now := time.Now().UnixNano()
	e.m.Store(k, &expiringEntry{v: v, expires: now + int64(ttl)})
	if last := e.swept.Load(); now-last >= int64(e.sweep) && e.swept.CompareAndSwap(last, now) {
		e.m.Range(func(k, v any) bool {
			if now >= v.(*expiringEntry).expires {
				e.m.CompareAndDelete(k, v)
			}
			return true
		})
	}
}
