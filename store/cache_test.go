package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func cacheBehaviours() []behaviour {
	return []behaviour{
		{name: "CacheReadThrough", run: testCacheReadThrough},
		{name: "CacheSharesTenantSnapshots", run: testCacheSharesTenantSnapshots},
		{name: "CacheInvalidatesOwnWrites", run: func(t *testing.T, e *storetest.Env) { testCacheInvalidation(t, e, viaCache) }},
		{name: "CacheInvalidatesTxWrites", run: func(t *testing.T, e *storetest.Env) { testCacheInvalidation(t, e, viaCacheTx) }},
		{name: "CacheFollowsWritesBehindIt", run: func(t *testing.T, e *storetest.Env) { testCacheInvalidation(t, e, behindCache) }},
		{name: "CacheKeepsWhatTheInboxWritesDoNotTouch", run: testCacheKeepsEntriesOnInboxWrites},
		{name: "CacheSubscribersReadTheChange", run: testCacheSubscribersReadTheChange},
		{name: "CacheAcrossInstances", run: func(t *testing.T, e *storetest.Env) { testCacheInvalidation(t, e, otherInstance) }, only: storetest.Postgres},
	}
}

// testCacheSubscribersReadTheChange: a subscriber of the cache hears of
// a change after the cache dropped what it changed, so that reading
// through the cache in response returns what the change wrote, every
// time. (Subscribed to the store beside the cache, it raced the cache's
// own subscriber, and could read the value the change replaced.)
func testCacheSubscribersReadTheChange(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	_, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1))
	must(t, err)
	quiesce(t, db, tn.ID)
	cache := newCached(t, db)
	read := make(chan string, 64)
	cache.Subscribe(ctx, func(c recrubo.Change) {
		if c.Kind == store.ChangeCandidate && c.ID == "c1" {
			got, err := cache.Candidate(ctx, tn.ID, "c1")
			if err != nil {
				read <- err.Error()
				return
			}
			read <- got.StableHash
		}
	})
	for m := 2; m <= 40; m++ {
		_, err := cache.Candidate(ctx, tn.ID, "c1") // cached, as before the change
		must(t, err)
		_, err = db.UpsertCandidate(ctx, candidate(tn.ID, "c1", m))
		must(t, err)
		want := fmt.Sprintf("h%d", m)
		select {
		case got := <-read:
			if got != want {
				t.Fatalf("change %d: the subscriber read %q through the cache, want %q", m, got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("change %d never reached the subscriber", m)
		}
	}
}

// testCacheKeepsEntriesOnInboxWrites: what the inbox writes
// (conversations, messages, read markers, consents, costs, templates)
// touches nothing the cache holds, so the cache stays warm through it.
// Each of these writes used to empty the whole cache.
func testCacheKeepsEntriesOnInboxWrites(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	for _, id := range []string{"c1", "c2"} {
		_, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: id, FirstName: "Sanne", PhoneE164: "+3161234567" + id[1:],
			ModifiedAt: at(1)})
		must(t, err)
	}
	quiesce(t, db, tn.ID)
	c := newCached(t, db)
	read := func() {
		t.Helper()
		_, err := c.TenantBySlug(ctx, "acme")
		must(t, err)
		_, err = c.Candidate(ctx, tn.ID, "c1")
		must(t, err)
	}
	read()

	conv := &recrubo.Conversation{TenantID: tn.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345671", CandidateID: "c1",
		State: recrubo.ConversationOpen, LastMessageAt: at(2), LastMessagePreview: "Hoi"}
	must(t, db.SaveConversation(ctx, conv))
	_, err := db.AddMessage(ctx, &recrubo.Message{TenantID: tn.ID, ConversationID: conv.ID, Direction: recrubo.Inbound, Body: "Hoi",
		Status: recrubo.StatusReceived, CreatedAt: at(2), ProviderID: "wamid.keep.1"})
	must(t, err)
	must(t, db.MarkRead(ctx, tn.ID, conv.ID, "r1", at(3)))
	must(t, db.SaveConsent(ctx, &recrubo.Consent{TenantID: tn.ID, Phone: conv.Phone, OptedOut: true, Source: "stop-keyword", At: at(3)}))
	must(t, db.AddCost(ctx, tn.ID, conv.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.05"), at(3)))
	must(t, db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: tn.ID, Name: "hallo", Language: "nl", Category: recrubo.CategoryUtility,
		Status: recrubo.TemplateApproved, Body: "Hallo {{1}}", Variables: 1}))
	// A candidate write last: once the cache has followed it, it has
	// followed every change before it.
	_, err = db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: "c2", FirstName: "Kees", PhoneE164: "+31612345672", ModifiedAt: at(4)})
	must(t, err)
	eventually.Holds(t, "the cache followed the candidate write", func() bool {
		got, err := c.Candidate(ctx, tn.ID, "c2")
		return err == nil && got.FirstName == "Kees"
	})
	before := c.Stats()
	read()
	if after := c.Stats(); after.Misses != before.Misses || after.Hits != before.Hits+2 {
		t.Errorf("reads after the inbox's writes: %+v, then %+v; want 2 more hits, no miss", before, after)
	}
}

// newCached wraps db with a cache whose TTL is far longer than any test, so
// only invalidation can explain a fresh value.
func newCached(t testing.TB, db recrubo.Store) *store.Cached {
	t.Helper()
	c, err := store.NewCached(db, store.CacheConfig{TTL: time.Hour})
	must(t, err)
	t.Cleanup(c.Close)
	return c
}

func testCacheReadThrough(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	_, err := db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "m1", CandidateID: "c1", Stage: "Gesprek", ModifiedAt: at(1)})
	must(t, err)
	quiesce(t, db, tn.ID)
	c := newCached(t, db)

	first, err := c.TenantBySlug(ctx, "acme")
	must(t, err)
	if s := c.Stats(); s.Hits != 0 || s.Misses != 1 {
		t.Fatalf("after first read: %+v, want 1 miss", s)
	}
	// The caller owns what it gets: changing it does not change the cache.
	first.DisplayName = "scribbled"
	first.FrameOrigins[0] = "https://evil.example"
	second, err := c.TenantBySlug(ctx, "acme")
	must(t, err)
	if s := c.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("after second read: %+v, want 1 hit", s)
	}
	if d := diff(tn, second); d != "" {
		t.Errorf("cached tenant differs from the stored one (-want +got):\n%s", d)
	}
	second.FrameOrigins[1] = "https://evil.example"
	third, err := c.TenantBySlug(ctx, "acme")
	must(t, err)
	if third.FrameOrigins[1] == "https://evil.example" {
		t.Error("a hit handed out the cache's own slice")
	}

	// Lists are copied element by element.
	ms, err := c.MatchesByCandidate(ctx, tn.ID, "c1")
	must(t, err)
	ms[0].Stage = "scribbled"
	ms, err = c.MatchesByCandidate(ctx, tn.ID, "c1")
	must(t, err)
	if ms[0].Stage != "Gesprek" {
		t.Error("a cached match was changed through a returned pointer")
	}

	// Misses are not cached as errors: a tenant created later is found.
	_, err = c.TenantBySlug(ctx, "later")
	wantCode(t, err, recrubo.ENOTFOUND)
	createTenant(t, db, "later")
	eventually.Holds(t, "new tenant visible", func() bool { _, err := c.TenantBySlug(ctx, "later"); return err == nil })
}

// How a test write reaches the store, relative to the cache.
type writePath int

const (
	viaCache      writePath = iota // a write through the cache itself
	viaCacheTx                     // a write in a transaction of the cache
	behindCache                    // a write to the wrapped store directly (same instance)
	otherInstance                  // a write by another instance on the same database
)

// cachedRead is one cached read, summarised as a string, and a write that
// changes what it returns.
type cachedRead struct {
	name  string
	read  func(ctx context.Context, s recrubo.Store, tenantID string) (string, error)
	write func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error
}

func cachedReads() []cachedRead {
	return []cachedRead{
		{
			name: "TenantByID",
			read: func(ctx context.Context, s recrubo.Store, id string) (string, error) {
				tn, err := s.TenantByID(ctx, id)
				return summary(tn, err, func(tn *recrubo.Tenant) string { return tn.DisplayName })
			},
			write: renameTenant,
		},
		{
			name: "TenantBySlug",
			read: func(ctx context.Context, s recrubo.Store, id string) (string, error) {
				tn, err := s.TenantByID(ctx, id) // find the slug, uncached path is irrelevant here
				if err != nil {
					return "", err
				}
				bySlug, err := s.TenantBySlug(ctx, tn.Slug)
				return summary(bySlug, err, func(tn *recrubo.Tenant) string { return tn.DisplayName })
			},
			write: renameTenant,
		},
		{
			name: "SharedTenantBySlug",
			read: func(ctx context.Context, s recrubo.Store, id string) (string, error) {
				tn, err := s.TenantByID(ctx, id)
				if err != nil {
					return "", err
				}
				bySlug := s.TenantBySlug
				if c, ok := s.(*store.Cached); ok {
					bySlug = c.SharedTenantBySlug
				}
				shared, err := bySlug(ctx, tn.Slug)
				return summary(shared, err, func(tn *recrubo.Tenant) string { return tn.DisplayName })
			},
			write: renameTenant,
		},
		{
			name: "Candidate",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				c, err := s.Candidate(ctx, tid, "c1")
				return summary(c, err, func(c *recrubo.Candidate) string { return c.City })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				c := candidate(tn.ID, "c1", 50)
				c.City = "Groningen"
				_, err := s.UpsertCandidate(ctx, c)
				return err
			},
		},
		{
			name: "CandidateHash",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				if c, ok := s.(*store.Cached); ok {
					h, err := c.CandidateHash(ctx, tid, "c1")
					return summary(h, err, func(h string) string { return h })
				}
				c, err := s.Candidate(ctx, tid, "c1")
				return summary(c, err, func(c *recrubo.Candidate) string { return c.StableHash })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				_, err := s.UpsertCandidate(ctx, candidate(tn.ID, "c1", 50))
				return err
			},
		},
		{
			name: "CandidateRemoved",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				c, err := s.Candidate(ctx, tid, "c1")
				return summary(c, err, func(c *recrubo.Candidate) string { return c.City })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				_, err := s.RemoveCandidate(ctx, tn.ID, "c1", at(50))
				return err
			},
		},
		{
			name: "Vacancy",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				v, err := s.Vacancy(ctx, tid, "v1")
				return summary(v, err, func(v *recrubo.Vacancy) string { return v.Title })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				_, err := s.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Nieuwe titel", ModifiedAt: at(50)})
				return err
			},
		},
		{
			name: "Recruiter",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				r, err := s.Recruiter(ctx, tid, "u1")
				return summary(r, err, func(r *recrubo.Recruiter) string { return fmt.Sprint(r.Email, r.Active) })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				_, err := s.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: "u1", Email: "new@acme.nl", ModifiedAt: at(50)})
				return err
			},
		},
		{
			name: "Recruiters",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				rs, err := s.Recruiters(ctx, tid)
				return summary(rs, err, func(rs []*recrubo.Recruiter) string { return fmt.Sprint(len(rs)) })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				_, err := s.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: "u2", ModifiedAt: at(50)})
				return err
			},
		},
		{
			name: "MatchesByCandidate",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				ms, err := s.MatchesByCandidate(ctx, tid, "c1")
				return summary(ms, err, matchIDs)
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				// The removal names only the match, not its candidate.
				_, err := s.RemoveMatch(ctx, tn.ID, "m1", at(50))
				return err
			},
		},
		{
			name: "StatusNodes",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				ns, err := s.StatusNodes(ctx, tid, recrubo.StatusCandidate)
				return summary(ns, err, func(ns []*recrubo.StatusNode) string {
					var v []string
					for _, n := range ns {
						v = append(v, n.Value)
					}
					return strings.Join(v, ",")
				})
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				return s.ReplaceStatusNodes(ctx, tn.ID, recrubo.StatusCandidate, []*recrubo.StatusNode{{ID: "1", Value: "Vervangen"}})
			},
		},
		{
			name: "SyncStatus",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				st, err := s.SyncStatus(ctx, tid)
				return summary(st, err, func(st *recrubo.SyncStatus) string { return st.LastError })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				return s.SaveSyncStatus(ctx, &recrubo.SyncStatus{TenantID: tn.ID, LastError: "new error"})
			},
		},
		{
			name: "TenantDeleted",
			read: func(ctx context.Context, s recrubo.Store, tid string) (string, error) {
				c, err := s.Candidate(ctx, tid, "c1")
				return summary(c, err, func(c *recrubo.Candidate) string { return c.City })
			},
			write: func(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
				return s.DeleteTenant(ctx, tn.ID)
			},
		},
	}
}

func renameTenant(ctx context.Context, s recrubo.DataStore, tn *recrubo.Tenant) error {
	tn.DisplayName = "Renamed " + tn.Slug
	return s.UpdateTenant(ctx, tn)
}

// summary renders a read's result, or its error code, as a string.
func summary[T any](v T, err error, f func(T) string) (string, error) {
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return "not found", nil
	}
	if err != nil {
		return "", err
	}
	return f(v), nil
}

// seedCacheTenant gives a tenant one of everything the cached reads return.
func seedCacheTenant(t *testing.T, s recrubo.Store, slug string) *recrubo.Tenant {
	t.Helper()
	ctx := t.Context()
	tn := createTenant(t, s, slug)
	_, err := s.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1))
	must(t, err)
	_, err = s.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Oude titel", ModifiedAt: at(1)})
	must(t, err)
	_, err = s.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: "u1", Email: "old@acme.nl", Active: true, ModifiedAt: at(1)})
	must(t, err)
	_, err = s.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "m1", CandidateID: "c1", VacancyID: "v1", ModifiedAt: at(1)})
	must(t, err)
	must(t, s.ReplaceStatusNodes(ctx, tn.ID, recrubo.StatusCandidate, []*recrubo.StatusNode{{ID: "1", Value: "Actief"}}))
	must(t, s.SaveSyncStatus(ctx, &recrubo.SyncStatus{TenantID: tn.ID, LastError: "old error"}))
	return tn
}

// testCacheInvalidation checks, for every cached read, that a value served
// from the cache is replaced by the new one after a write along path.
func testCacheInvalidation(t *testing.T, e *storetest.Env, path writePath) {
	db := e.Open(t)
	var other recrubo.Store
	if path == otherInstance {
		other = e.Open(t)
	}
	for i, r := range cachedReads() {
		t.Run(r.name, func(t *testing.T) {
			ctx := t.Context()
			tn := seedCacheTenant(t, db, fmt.Sprintf("t%02d", i))
			// A cache created after the seed's changes have been
			// published hears only what happens from now on.
			quiesce(t, db, tn.ID)
			cache := newCached(t, db)
			writer := map[writePath]recrubo.Store{viaCache: cache, viaCacheTx: cache, behindCache: db, otherInstance: other}[path]
			before, err := r.read(ctx, cache, tn.ID)
			must(t, err)
			hits := cache.Stats().Hits
			again, err := r.read(ctx, cache, tn.ID)
			must(t, err)
			if cache.Stats().Hits <= hits || again != before {
				t.Fatalf("second read was not served from the cache (hits %d → %d)", hits, cache.Stats().Hits)
			}

			switch path {
			case viaCacheTx:
				must(t, cache.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error { return r.write(ctx, tx, tn) }))
			default:
				must(t, r.write(ctx, writer, tn))
			}
			truth, err := r.read(ctx, db, tn.ID)
			must(t, err)
			if truth == before {
				t.Fatalf("the write did not change %s (%q); the test would prove nothing", r.name, truth)
			}
			if path == viaCache || path == viaCacheTx {
				// Invalidated before the write returned.
				got, err := r.read(ctx, cache, tn.ID)
				must(t, err)
				if got != truth {
					t.Errorf("after the write the cache returns %q, want %q", got, truth)
				}
				return
			}
			// Invalidated when the change arrives through the feed.
			eventually.Holds(t, r.name+" refreshed", func() bool {
				got, err := r.read(ctx, cache, tn.ID)
				return err == nil && got == truth
			})
		})
	}
}

func TestCacheMetrics(t *testing.T) {
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)
	createTenant(t, db, "acme") // before the cache, which hears only later changes
	reg := prometheus.NewRegistry()
	c, err := store.NewCached(db, store.CacheConfig{TTL: time.Hour, Metrics: reg})
	must(t, err)
	defer c.Close()
	for range 3 {
		_, err := c.TenantBySlug(t.Context(), "acme")
		must(t, err)
	}
	families, err := reg.Gather()
	must(t, err)
	got := map[string]float64{}
	for _, f := range families {
		m := f.GetMetric()[0]
		switch {
		case m.GetCounter() != nil:
			got[f.GetName()] = m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			got[f.GetName()] = m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{
		"recrubo_store_cache_hits_total":   2,
		"recrubo_store_cache_misses_total": 1,
		"recrubo_store_cache_entries":      1,
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
	if _, err := store.NewCached(db, store.CacheConfig{Metrics: reg}); err == nil {
		t.Error("registering the metrics twice did not fail")
	}
}

// quiesce returns once every change committed so far has been published to
// s's subscribers: it commits a marker and waits for it on the feed, which
// delivers in commit order.
func quiesce(t *testing.T, s recrubo.Store, tenantID string) {
	t.Helper()
	feed := changes(t, s)
	marker := fmt.Sprintf("quiesce-%d", time.Now().UnixNano())
	_, err := s.RecordEvent(t.Context(), &recrubo.InboundEvent{TenantID: tenantID, Source: recrubo.SourceCarerix, ID: marker, Payload: []byte("{}")})
	must(t, err)
	waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeEvent && c.ID == marker })
}

// threeCandidates stores candidates c0, c1 and c2 of a tenant and puts
// a cache with cfg in front of the store.
func threeCandidates(t *testing.T, cfg store.CacheConfig) (*store.DB, *store.Cached, *recrubo.Tenant) {
	t.Helper()
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)
	tn := createTenant(t, db, "acme")
	for i := range 3 {
		_, err := db.UpsertCandidate(t.Context(), candidate(tn.ID, fmt.Sprintf("c%d", i), i))
		must(t, err)
	}
	quiesce(t, db, tn.ID)
	c, err := store.NewCached(db, cfg)
	must(t, err)
	t.Cleanup(c.Close)
	return db, c, tn
}

// A full cache without expired entries is emptied before it takes one
// more entry; reads stay correct and up to date.
func TestCacheMaxEntries(t *testing.T) {
	ctx := t.Context()
	db, c, tn := threeCandidates(t, store.CacheConfig{TTL: time.Hour, MaxEntries: 2})
	read := func(id string) *recrubo.Candidate {
		t.Helper()
		got, err := c.Candidate(ctx, tn.ID, id)
		must(t, err)
		if got.ID != id {
			t.Fatalf("read %s, got %s", id, got.ID)
		}
		return got
	}
	read("c0")
	read("c1")
	read("c0")
	if s := c.Stats(); s.Entries != 2 || s.Hits != 1 || s.Misses != 2 {
		t.Fatalf("stats = %+v, want 2 entries, 1 hit, 2 misses", s)
	}
	read("c2") // a third entry: the cache is emptied first
	if s := c.Stats(); s.Entries != 1 || s.Misses != 3 {
		t.Fatalf("stats after a third candidate = %+v, want 1 entry, 3 misses", s)
	}
	read("c2")
	read("c0")
	if s := c.Stats(); s.Entries != 2 || s.Hits != 2 || s.Misses != 4 {
		t.Errorf("stats = %+v, want 2 entries, 2 hits, 4 misses", s)
	}
	updated := candidate(tn.ID, "c2", 9)
	updated.City = "Zwolle"
	_, err := c.UpsertCandidate(ctx, updated)
	must(t, err)
	if got := read("c2"); got.City != "Zwolle" {
		t.Errorf("c2 after its update = %+v; want the stored candidate", got)
	}
	if _, err := store.NewCached(db, store.CacheConfig{MaxEntries: -1}); err == nil {
		t.Error("a negative size was accepted")
	}
}

// TestCacheFullOfExpiredEntries: a full cache whose room is held by an
// expired entry drops that one and keeps the live ones.
func TestCacheFullOfExpiredEntries(t *testing.T) {
	ctx := t.Context()
	const ttl = 2 * time.Second
	_, c, tn := threeCandidates(t, store.CacheConfig{TTL: ttl, CleanupInterval: time.Hour, MaxEntries: 2})
	read := func(id string) {
		t.Helper()
		if _, err := c.Candidate(ctx, tn.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	read("c0")
	time.Sleep(ttl * 6 / 10)
	read("c1")
	time.Sleep(ttl * 6 / 10) // c0 has expired, c1 has not
	read("c2")               // full: c0 goes, c1 stays
	before := c.Stats()
	read("c1")
	if s := c.Stats(); s.Hits != before.Hits+1 || s.Entries != 2 {
		t.Errorf("stats = %+v after %+v; want c1 still cached beside c2", s, before)
	}
}

// testCacheSharesTenantSnapshots: SharedTenantBySlug hands every caller the
// cache's one value, which a write replaces instead of changing, while
// TenantBySlug still hands out copies.
func testCacheSharesTenantSnapshots(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	quiesce(t, db, tn.ID)
	c := newCached(t, db)

	first, err := c.SharedTenantBySlug(ctx, "acme")
	must(t, err)
	second, err := c.SharedTenantBySlug(ctx, "acme")
	must(t, err)
	if first != second {
		t.Error("two shared reads returned different values")
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Errorf("after two shared reads: %+v, want 1 miss and 1 hit", s)
	}
	if d := diff(tn, first); d != "" {
		t.Errorf("shared tenant differs from the stored one (-want +got):\n%s", d)
	}
	if cap(first.FrameOrigins) != len(first.FrameOrigins) {
		t.Errorf("the shared tenant's frame origins have room to append into (len %d, cap %d)", len(first.FrameOrigins), cap(first.FrameOrigins))
	}
	own, err := c.TenantBySlug(ctx, "acme")
	must(t, err)
	if own == first || &own.FrameOrigins[0] == &first.FrameOrigins[0] {
		t.Error("TenantBySlug handed out the shared value")
	}

	next := *own
	next.DisplayName = "Acme Renamed"
	must(t, c.UpdateTenant(ctx, &next))
	if first.DisplayName != tn.DisplayName {
		t.Errorf("a write changed the snapshot a reader holds: %q", first.DisplayName)
	}
	third, err := c.SharedTenantBySlug(ctx, "acme")
	must(t, err)
	if third == first || third.DisplayName != "Acme Renamed" {
		t.Errorf("after the write the shared read returns %q (same value: %v), want the new name", third.DisplayName, third == first)
	}

	if _, err := c.SharedTenantBySlug(ctx, "nobody"); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Errorf("an unknown slug: %v, want ENOTFOUND", err)
	}
}
