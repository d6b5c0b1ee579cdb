package store

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patrickmn/go-cache"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// markTTL is how long an invalidation is remembered to stop a read that
// started before it from caching what it read. Reads take milliseconds;
// a read slower than this that races a write may cache a stale value until
// the entry's TTL ends.
const markTTL = time.Minute

// memo is the cache's memory: go-cache behind a typed interface, plus the
// bookkeeping that keeps invalidation correct when reads and writes race.
//
// Granularity. Records read by key (a tenant, candidate, vacancy, recruiter,
// sync status) have a key each and a write deletes exactly that key. Listings
// (a candidate's matches, a tenant's recruiters or status nodes) cannot be
// found from the record that changed (a removed match does not say which
// candidate it belonged to), so their keys embed a per-tenant, per-kind
// generation: bumping it orphans every listing of that kind for the tenant
// at once, and orphans simply expire. Every key of a tenant also embeds a
// tenant generation, bumped when the tenant changes or is deleted or a
// tenant-wide resync arrives; the tenant records themselves embed a global
// tenants generation. A full resync flushes everything.
//
// Races. A read that misses loads from the store and then caches the result.
// If a write commits and invalidates while that load is in flight, the load
// may have read the old state and must not cache it. Each invalidation
// therefore takes a number from seq and records it (a mark) on the key, and
// a load only caches if no mark, and no flush, is newer than the number it
// drew when it started. Checking and storing happen under mu, as do marking
// and deleting, so the two cannot interleave.
type memo struct {
	c     *cache.Cache // values
	marks *cache.Cache // key → uint64 seq of its last invalidation
	max   int          // entries c may hold

	seq atomic.Uint64

	mu      sync.Mutex
	flushed uint64 // seq of the last full flush

	// gens maps a scope to its generation (*atomic.Uint64; a scope never
	// bumped is at 0). Building a key reads it on every cached read, from
	// every core: sync.Map's reads and the counters' loads write nothing
	// shared, where a read lock's counter would bounce between the cores
	// on each read. Bumps (writes) take mu as before.
	gens sync.Map
}

func newMemo(ttl, cleanup time.Duration, maxEntries int) *memo {
	return &memo{
		max:   maxEntries,
		c:     cache.New(ttl, cleanup),
		marks: cache.New(markTTL, cleanup),
	}
}

// get returns the value stored under key if it has type T. This and put are
// the only places values cross the interface{} boundary of go-cache.
func get[T any](m *memo, key string) (T, bool) {
	v, ok := m.c.Get(key)
	if !ok {
		var zero T
		return zero, false
	}
	t, ok := v.(T)
	return t, ok
}

// put stores v under key unless key was invalidated, or the cache flushed,
// after since (a seq drawn before v was loaded). A full cache first drops
// its expired entries, and is emptied if that leaves it over nine tenths
// full: what fills it may be orphans of old generations (a tenant-wide
// resync orphans every key of the tenant) that would otherwise hold their
// room until they expire. (Emptying only then keeps the scan of expired
// entries to once per tenth of the cache filled.)
func put[T any](m *memo, key string, v T, since uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.flushed > since {
		return
	}
	if m.c.ItemCount() >= m.max {
		m.c.DeleteExpired()
		if m.c.ItemCount() > m.max*9/10 {
			m.c.Flush()
		}
	}
	if mark, ok := m.marks.Get(key); ok && mark.(uint64) > since {
		return
	}
	m.c.SetDefault(key, v)
}

// begin draws the number a load compares invalidations against.
func (m *memo) begin() uint64 { return m.seq.Load() }

// forget deletes key and marks it invalidated now.
func (m *memo) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marks.SetDefault(key, m.seq.Add(1))
	m.c.Delete(key)
}

// bump moves scopes to a new generation, orphaning every key built with
// the old one.
func (m *memo) bump(scopes ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range scopes {
		g, ok := m.gens.Load(s)
		if !ok {
			g, _ = m.gens.LoadOrStore(s, new(atomic.Uint64))
		}
		g.(*atomic.Uint64).Add(1)
	}
}

// flush drops everything.
func (m *memo) flush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.flushed = m.seq.Add(1)
	m.c.Flush()
}

// gen is scope's generation.
func (m *memo) gen(scope string) uint64 {
	if g, ok := m.gens.Load(scope); ok {
		return g.(*atomic.Uint64).Load()
	}
	return 0
}

// key builds a cache key from a prefix, the generations of scopes and
// parts. Parts are joined with NUL, which no id contains.
func (m *memo) key(prefix string, scopes []string, parts ...string) string {
	// Sized up front (a generation has at most 20 digits), so that the
	// key is a single allocation.
	n := len(prefix) + len(scopes)*21
	for _, p := range parts {
		n += 1 + len(p)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	var digits [20]byte
	for _, s := range scopes {
		b.WriteByte(0)
		b.Write(strconv.AppendUint(digits[:0], m.gen(s), 10))
	}
	for _, p := range parts {
		b.WriteByte(0)
		b.WriteString(p)
	}
	return b.String()
}

// Generation scopes.
const scopeTenants = "\x01tenants" // every tenant record

func scopeTenant(tenantID string) string     { return tenantID }
func scopeList(tenantID, kind string) string { return tenantID + "\x00" + kind }
func tenantScopes(tenantID string) []string  { return []string{scopeTenant(tenantID)} }
func listScopes(tenantID, kind string) []string {
	return []string{scopeTenant(tenantID), scopeList(tenantID, kind)}
}

// Cache keys of the cached reads.
func (m *memo) tenantIDKey(id string) string {
	return m.key("tenant-id", []string{scopeTenants}, id)
}
func (m *memo) tenantSlugKey(slug string) string {
	return m.key("tenant-slug", []string{scopeTenants}, slug)
}
func (m *memo) candidateKey(tenantID, id string) string {
	return m.key("candidate", tenantScopes(tenantID), tenantID, id)
}
func (m *memo) vacancyKey(tenantID, id string) string {
	return m.key("vacancy", tenantScopes(tenantID), tenantID, id)
}
func (m *memo) recruiterKey(tenantID, id string) string {
	return m.key("recruiter", tenantScopes(tenantID), tenantID, id)
}
func (m *memo) syncStatusKey(tenantID string) string {
	return m.key("sync-status", tenantScopes(tenantID), tenantID)
}
func (m *memo) matchesKey(tenantID, candidateID string) string {
	return m.key("matches", listScopes(tenantID, ChangeMatch), tenantID, candidateID)
}
func (m *memo) recruitersKey(tenantID string) string {
	return m.key("recruiters", listScopes(tenantID, ChangeRecruiter), tenantID)
}
func (m *memo) statusNodesKey(tenantID string, kind recrubo.StatusKind) string {
	return m.key("status-nodes", listScopes(tenantID, ChangeStatusNodes), tenantID, string(kind))
}

// invalidate drops what a change affects.
func (m *memo) invalidate(c recrubo.Change) {
	switch c.Kind {
	case ChangeTenant:
		m.bump(scopeTenants, scopeTenant(c.TenantID))
	case ChangeCandidate:
		m.forget(m.candidateKey(c.TenantID, c.ID))
	case ChangeVacancy:
		m.forget(m.vacancyKey(c.TenantID, c.ID))
	case ChangeMatch:
		m.bump(scopeList(c.TenantID, ChangeMatch))
	case ChangeRecruiter:
		m.forget(m.recruiterKey(c.TenantID, c.ID))
		m.bump(scopeList(c.TenantID, ChangeRecruiter))
	case ChangeStatusNodes:
		m.bump(scopeList(c.TenantID, ChangeStatusNodes))
	case ChangeSyncStatus:
		m.forget(m.syncStatusKey(c.TenantID))
	case ChangeSyncRun, ChangeSyncCheckpoint, ChangeEvent, ChangeVerifyRun,
		ChangeConversation, ChangeMessage, ChangeTemplate, ChangeConsent, ChangeCost,
		ChangeWhatsApp, ChangeBroadcast, ChangeProvision, ChangeContract:
		// Not cached: none of these writes a table the cache reads
		// (tenants, candidates, vacancies, matches, recruiters, status
		// nodes, sync status). Each emptied the whole cache, for every
		// tenant, while it was missing here: every WhatsApp message and
		// status did.
	case ChangeResync:
		if c.TenantID == "" {
			m.flush()
			return
		}
		m.bump(scopeTenants, scopeTenant(c.TenantID))
	default:
		// A kind this version does not know: be safe.
		m.flush()
	}
}
