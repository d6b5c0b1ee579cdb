package store

import (
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// TestMemoRefusesStaleFill replays, step by step, a read that misses and
// loads while a write commits and invalidates: what the read loaded may be
// the old state and must not be cached. A read that starts after the
// invalidation caches normally.
func TestMemoRefusesStaleFill(t *testing.T) {
	for _, tc := range []struct {
		name       string
		invalidate func(m *memo)
	}{
		{"RecordWrite", func(m *memo) { m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeCandidate, ID: "c1"}) }},
		{"TenantWrite", func(m *memo) { m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeTenant, ID: "t1"}) }},
		{"TenantResync", func(m *memo) { m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeResync}) }},
		{"FullResync", func(m *memo) { m.invalidate(recrubo.Change{Kind: ChangeResync}) }},
		{"UnknownKind", func(m *memo) { m.invalidate(recrubo.Change{TenantID: "t1", Kind: "from-a-newer-release"}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemo(time.Hour, time.Hour, 1000)
			key := m.candidateKey("t1", "c1")
			since := m.begin() // the read misses and starts loading
			tc.invalidate(m)   // a write commits meanwhile
			put(m, key, "stale", since)
			if _, ok := get[string](m, m.candidateKey("t1", "c1")); ok {
				t.Fatal("a load that raced an invalidation was cached")
			}
			since = m.begin() // a read after the write
			key = m.candidateKey("t1", "c1")
			put(m, key, "fresh", since)
			if v, ok := get[string](m, m.candidateKey("t1", "c1")); !ok || v != "fresh" {
				t.Fatalf("a load after the invalidation was not cached: %q, %v", v, ok)
			}
		})
	}
}

// TestMemoKeepsEntriesOnWritesItDoesNotCache: a change of a kind the
// cache holds nothing of (conversations, messages, templates, consents,
// costs, WhatsApp health, broadcasts, provisioning, contracts, events and
// sync runs) drops nothing.
func TestMemoKeepsEntriesOnWritesItDoesNotCache(t *testing.T) {
	for _, kind := range []string{ChangeConversation, ChangeMessage, ChangeTemplate, ChangeConsent, ChangeCost, ChangeWhatsApp,
		ChangeBroadcast, ChangeProvision, ChangeContract, ChangeEvent, ChangeSyncRun, ChangeSyncCheckpoint, ChangeVerifyRun} {
		m := newMemo(time.Hour, time.Hour, 1000)
		keys := []string{m.candidateKey("t1", "c1"), m.tenantIDKey("t1"), m.tenantSlugKey("acme"), m.matchesKey("t1", "c1"),
			m.recruiterKey("t1", "r1"), m.recruitersKey("t1"), m.syncStatusKey("t1")}
		for _, k := range keys {
			put(m, k, k, m.begin())
		}
		m.invalidate(recrubo.Change{TenantID: "t1", Kind: kind, ID: "x"})
		for _, k := range []string{m.candidateKey("t1", "c1"), m.tenantIDKey("t1"), m.tenantSlugKey("acme"), m.matchesKey("t1", "c1"),
			m.recruiterKey("t1", "r1"), m.recruitersKey("t1"), m.syncStatusKey("t1")} {
			if _, ok := get[string](m, k); !ok {
				t.Errorf("a %s change dropped %q", kind, k)
			}
		}
	}
}

// TestMemoKeepsUnrelatedEntries checks the granularity: a write drops what
// it affects and nothing else.
func TestMemoKeepsUnrelatedEntries(t *testing.T) {
	m := newMemo(time.Hour, time.Hour, 1000)
	fill := func() {
		for _, k := range []string{m.candidateKey("t1", "c1"), m.candidateKey("t1", "c2"), m.candidateKey("t2", "c1"),
			m.matchesKey("t1", "c1"), m.tenantIDKey("t1")} {
			put(m, k, k, m.begin())
		}
	}
	cached := func(k string) bool { _, ok := get[string](m, k); return ok }

	fill()
	m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeCandidate, ID: "c1"})
	if cached(m.candidateKey("t1", "c1")) || !cached(m.candidateKey("t1", "c2")) || !cached(m.candidateKey("t2", "c1")) ||
		!cached(m.matchesKey("t1", "c1")) || !cached(m.tenantIDKey("t1")) {
		t.Error("a candidate write dropped the wrong entries")
	}
	fill()
	m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeMatch, ID: "m9"})
	if cached(m.matchesKey("t1", "c1")) || !cached(m.candidateKey("t1", "c1")) {
		t.Error("a match write must drop the tenant's match listings, and only them")
	}
	fill()
	m.invalidate(recrubo.Change{TenantID: "t1", Kind: ChangeResync})
	if cached(m.candidateKey("t1", "c2")) || cached(m.tenantIDKey("t1")) || !cached(m.candidateKey("t2", "c1")) {
		t.Error("a tenant resync must drop that tenant's entries, and only them")
	}
}
