package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// CacheConfig configures NewCached.
type CacheConfig struct {
	// TTL bounds how long a cached read is served; it is the staleness
	// limit should a change notification ever be missed. Default 5 minutes.
	TTL time.Duration
	// CleanupInterval is how often expired entries are purged. Default
	// twice the TTL.
	CleanupInterval time.Duration
	// MaxEntries bounds how many entries the cache holds (expired and
	// orphaned ones not yet purged included): a read that would cache
	// one more empties the cache first. Default 150,000: a tenant of
	// 100,000 candidates fits, in about 105 MB of heap.
	MaxEntries int
	// Metrics, when set, receives the cache's counters:
	// recrubo_store_cache_hits_total, recrubo_store_cache_misses_total and
	// the recrubo_store_cache_entries gauge.
	Metrics prometheus.Registerer
}

// DefaultCacheEntries is CacheConfig.MaxEntries when it is zero.
const DefaultCacheEntries = 150_000

// CacheStats counts a cache's lookups.
type CacheStats struct {
	Hits    uint64
	Misses  uint64
	Entries int
}

// Cached is a read-through cache in front of a recrubo.Store. It serves the
// hot reads (tenants by slug and id, candidate, vacancy, recruiter(s), a
// candidate's matches, status nodes, sync status) from memory and passes
// everything else through. Writes through it invalidate what they touch as
// soon as they return; writes by other instances invalidate when their
// Change arrives through the store's Subscribe. Values handed out are
// copies: callers may modify them freely.
type Cached struct {
	writeThrough // writes (invalidating) and uncached reads

	inner  recrubo.Store
	m      *memo
	hub    *hub // the changes, after the cache has dropped what they changed
	hits   atomic.Uint64
	misses atomic.Uint64
	cancel context.CancelFunc
}

var _ recrubo.Store = (*Cached)(nil)

// NewCached wraps inner with a cache and subscribes to inner's changes
// until Close.
func NewCached(inner recrubo.Store, cfg CacheConfig) (*Cached, error) {
	if inner == nil {
		return nil, errors.New("store: NewCached needs a store to wrap")
	}
	if cfg.TTL < 0 || cfg.CleanupInterval < 0 || cfg.MaxEntries < 0 {
		return nil, errors.New("store: cache TTL, cleanup interval and size must not be negative")
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = DefaultCacheEntries
	}
	if cfg.TTL == 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.CleanupInterval == 0 {
		cfg.CleanupInterval = 2 * cfg.TTL
	}
	c := &Cached{inner: inner, m: newMemo(cfg.TTL, cfg.CleanupInterval, cfg.MaxEntries), hub: newHub()}
	c.writeThrough = writeThrough{DataStore: inner, touched: c.m.invalidate}
	if cfg.Metrics != nil {
		if err := c.register(cfg.Metrics); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	inner.Subscribe(ctx, c.apply)
	return c, nil
}

// apply drops what ch changed, then passes ch on to the cache's own
// subscribers.
func (c *Cached) apply(ch recrubo.Change) {
	c.m.invalidate(ch)
	c.hub.publish([]recrubo.Change{ch})
}

func (c *Cached) register(reg prometheus.Registerer) error {
	for _, col := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "recrubo_store_cache_hits_total",
			Help: "Store reads served from the cache.",
		}, func() float64 { return float64(c.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "recrubo_store_cache_misses_total",
			Help: "Store reads the cache had to load from the database.",
		}, func() float64 { return float64(c.misses.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "recrubo_store_cache_entries",
			Help: "Entries in the store cache, expired ones not yet purged included.",
		}, func() float64 { return float64(c.m.c.ItemCount()) }),
	} {
		if err := reg.Register(col); err != nil {
			return fmt.Errorf("store: registering cache metrics: %w", err)
		}
	}
	return nil
}

// Close stops following the store's changes and stops its subscribers.
// The cache must not be used afterwards; the wrapped store stays open.
func (c *Cached) Close() {
	c.cancel()
	c.hub.close()
}

// Stats returns the lookup counts so far.
func (c *Cached) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: c.m.c.ItemCount()}
}

// read serves key from the cache or loads and caches it. The cache keeps
// its own copy; the caller gets another.
func read[T any](c *Cached, key string, clone func(T) T, load func() (T, error)) (T, error) {
	if v, ok := get[T](c.m, key); ok {
		c.hits.Add(1)
		return clone(v), nil
	}
	c.misses.Add(1)
	since := c.m.begin()
	v, err := load()
	if err != nil {
		return v, err
	}
	put(c.m, key, clone(v), since)
	return v, nil
}

// TenantByID returns ENOTFOUND if there is no such tenant.
func (c *Cached) TenantByID(ctx context.Context, id string) (*recrubo.Tenant, error) {
	return read(c, c.m.tenantIDKey(id), cloneTenant, func() (*recrubo.Tenant, error) {
		return c.inner.TenantByID(ctx, id)
	})
}

// TenantBySlug returns ENOTFOUND if there is no such tenant.
func (c *Cached) TenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error) {
	return read(c, c.m.tenantSlugKey(slug), cloneTenant, func() (*recrubo.Tenant, error) {
		return c.inner.TenantBySlug(ctx, slug)
	})
}

// SharedTenantBySlug is TenantBySlug without the copy: it returns the
// cache's own value, shared with every other caller, which must treat it
// as read-only (neither it nor its lists may be changed, nor appended
// to). The cache never changes a value it holds: a write to the tenant
// moves its reads to new keys (see memo), so a reader keeps a consistent
// snapshot of the tenant as it was when read. Its lists are capped at
// their length, so that an append by mistake cannot write into shared
// memory. Returns ENOTFOUND if there is no such tenant.
func (c *Cached) SharedTenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error) {
	return read(c, c.m.tenantSlugKey(slug), uncopied, func() (*recrubo.Tenant, error) {
		t, err := c.inner.TenantBySlug(ctx, slug)
		return cloneTenant(t), err // capped lists, and nothing shared with the store
	})
}

// Candidate returns ENOTFOUND if the candidate is not in the mirror.
func (c *Cached) Candidate(ctx context.Context, tenantID, id string) (*recrubo.Candidate, error) {
	return read(c, c.m.candidateKey(tenantID, id), clonePtr[recrubo.Candidate], func() (*recrubo.Candidate, error) {
		return c.inner.Candidate(ctx, tenantID, id)
	})
}

// CandidateHash is the StableHash of Candidate, read without copying the
// candidate. Returns ENOTFOUND if the candidate is not in the mirror.
func (c *Cached) CandidateHash(ctx context.Context, tenantID, id string) (string, error) {
	// Nobody but the cache gets the candidate, so it keeps the one read.
	v, err := read(c, c.m.candidateKey(tenantID, id), uncopied, func() (*recrubo.Candidate, error) {
		return c.inner.Candidate(ctx, tenantID, id)
	})
	if err != nil {
		return "", err
	}
	return v.StableHash, nil
}

// Vacancy returns ENOTFOUND if the vacancy is not in the mirror.
func (c *Cached) Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error) {
	return read(c, c.m.vacancyKey(tenantID, id), clonePtr[recrubo.Vacancy], func() (*recrubo.Vacancy, error) {
		return c.inner.Vacancy(ctx, tenantID, id)
	})
}

// MatchesByCandidate lists a candidate's matches.
func (c *Cached) MatchesByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Match, error) {
	return read(c, c.m.matchesKey(tenantID, candidateID), cloneList(clonePtr[recrubo.Match]), func() ([]*recrubo.Match, error) {
		return c.inner.MatchesByCandidate(ctx, tenantID, candidateID)
	})
}

// Recruiter returns ENOTFOUND if the recruiter is not in the mirror.
func (c *Cached) Recruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error) {
	return read(c, c.m.recruiterKey(tenantID, id), clonePtr[recrubo.Recruiter], func() (*recrubo.Recruiter, error) {
		return c.inner.Recruiter(ctx, tenantID, id)
	})
}

// SharedRecruiter is Recruiter without the copy: it returns the cache's
// own value, shared with every other caller, which must treat it as
// read-only (see SharedTenantBySlug). Returns ENOTFOUND if there is no
// such recruiter.
func (c *Cached) SharedRecruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error) {
	return read(c, c.m.recruiterKey(tenantID, id), uncopied, func() (*recrubo.Recruiter, error) {
		r, err := c.inner.Recruiter(ctx, tenantID, id)
		return clonePtr(r), err // nothing shared with the store
	})
}

// Recruiters lists the tenant's recruiters.
func (c *Cached) Recruiters(ctx context.Context, tenantID string) ([]*recrubo.Recruiter, error) {
	return read(c, c.m.recruitersKey(tenantID), cloneList(clonePtr[recrubo.Recruiter]), func() ([]*recrubo.Recruiter, error) {
		return c.inner.Recruiters(ctx, tenantID)
	})
}

// StatusNodes returns the tenant's status nodes of one kind.
func (c *Cached) StatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind) ([]*recrubo.StatusNode, error) {
	return read(c, c.m.statusNodesKey(tenantID, kind), cloneList(cloneStatusNode), func() ([]*recrubo.StatusNode, error) {
		return c.inner.StatusNodes(ctx, tenantID, kind)
	})
}

// SyncStatus returns the tenant's sync status.
func (c *Cached) SyncStatus(ctx context.Context, tenantID string) (*recrubo.SyncStatus, error) {
	return read(c, c.m.syncStatusKey(tenantID), clonePtr[recrubo.SyncStatus], func() (*recrubo.SyncStatus, error) {
		return c.inner.SyncStatus(ctx, tenantID)
	})
}

// InTx runs fn in a transaction of the wrapped store. What the
// transaction's writes touched is invalidated when InTx returns; reads
// inside the transaction are not cached.
func (c *Cached) InTx(ctx context.Context, fn func(ctx context.Context, tx recrubo.Tx) error) error {
	var touched changeLog
	defer touched.replay(c.m.invalidate)
	return c.inner.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		return fn(ctx, &cachedTx{writeThrough: writeThrough{DataStore: tx, touched: touched.add}, tx: tx})
	})
}

// Enqueue enqueues a job through the wrapped store.
func (c *Cached) Enqueue(ctx context.Context, args recrubo.JobArgs, opts *recrubo.JobOptions) error {
	return c.inner.Enqueue(ctx, args, opts)
}

// Subscribe calls fn with each of the wrapped store's changes after the
// cache has dropped what the change touched, so that fn, and whatever it
// lets go on, reads the change through the cache. Like the store's, it
// never blocks the store: fn has a buffer and a goroutine of its own, and
// gets a resync when it falls too far behind.
func (c *Cached) Subscribe(ctx context.Context, fn func(recrubo.Change)) { c.hub.subscribe(ctx, fn) }

// Lock takes the wrapped store's lock on key.
func (c *Cached) Lock(ctx context.Context, key string) (func(), error) { return c.inner.Lock(ctx, key) }

// Ping pings the wrapped store.
func (c *Cached) Ping(ctx context.Context) error { return c.inner.Ping(ctx) }
