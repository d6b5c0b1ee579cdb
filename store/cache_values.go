package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// values is the memo's map of cached values, each expiring after the
// TTL. A hit reads it from every core on every cached read: sync.Map's
// reads write nothing shared, where go-cache's read lock writes a counter
// that the cores then fight over. Its writes (SetDefault, Delete,
// DeleteExpired, Flush) are made under the memo's mutex, which keeps
// ItemCount exact.
type values struct {
	m   sync.Map // string → *valueEntry
	n   atomic.Int64
	ttl time.Duration
}

type valueEntry struct {
	v       any
	expires int64 // unix nanoseconds
}

func newValues(ttl time.Duration) *values { return &values{ttl: ttl} }

// Get returns the value of key unless there is none or it has expired.
func (c *values) Get(key string) (any, bool) {
	e, ok := c.m.Load(key)
	if !ok {
		return nil, false
	}
	en := e.(*valueEntry)
	if time.Now().UnixNano() > en.expires {
		return nil, false
	}
	return en.v, true
}

// SetDefault stores v under key for the TTL. Under the memo's mutex.
func (c *values) SetDefault(key string, v any) {
	if _, replaced := c.m.Swap(key, &valueEntry{v: v, expires: time.Now().Add(c.ttl).UnixNano()}); !replaced {
		c.n.Add(1)
	}
}

// Delete drops key. Under the memo's mutex.
func (c *values) Delete(key string) {
	if _, ok := c.m.LoadAndDelete(key); ok {
		c.n.Add(-1)
	}
}

// ItemCount is the number of entries, expired ones not yet dropped
// included.
func (c *values) ItemCount() int { return int(c.n.Load()) }

// DeleteExpired drops the expired entries. Under the memo's mutex.
func (c *values) DeleteExpired() {
	now := time.Now().UnixNano()
	c.m.Range(func(k, e any) bool {
		if now > e.(*valueEntry).expires {
			if _, ok := c.m.LoadAndDelete(k); ok {
				c.n.Add(-1)
			}
		}
		return true
	})
}

// Flush drops everything. Under the memo's mutex.
func (c *values) Flush() {
	c.m.Clear()
	c.n.Store(0)
}
