package cachebench_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// Sizes of BenchmarkWarmCacheMemory.
const (
	memCandidates    = 100_000
	memConversations = 10_000
	memMessages      = 4 // per conversation
)

// BenchmarkWarmCacheMemory seeds SQLite with 100,000 candidates and 10,000
// conversations of a few messages each, then reads them through the store
// cache as the service does: every candidate by id (inbox and vacancy
// pages, webhooks), and for every conversation its candidate's matches,
// the candidate's conversations and the thread's messages, plus the inbox
// list. It reports the process's peak RSS while warming and reading
// (VmHWM, reset after seeding so the seeding's own peak does not count),
// the heap in use after a collection with the cache warm, and the cache's
// entries. Run it with -benchtime 1x.
func BenchmarkWarmCacheMemory(b *testing.B) {
	ctx := context.Background()
	db := storetest.NewEnv(b, storetest.SQLite).Open(b)
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", Language: recrubo.LangDutch, TimeZone: "Europe/Amsterdam",
		FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id-s3.carerix.io", Realm: "acme",
			Application: "acme", ClientID: "client-acme", ClientSecret: recrubo.NewSecret("carerix-secret")},
		Admin:    recrubo.AdminCredentials{ClientID: "admin-acme", ClientSecret: recrubo.NewSecret("admin-secret")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789")},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		WhatsApp: recrubo.WhatsAppSettings{PhoneNumberID: "1000", AccessToken: recrubo.NewSecret("t")}}
	must(b, db.CreateTenant(ctx, tn))
	seedStart := time.Now()
	seedMemory(b, ctx, db, tn.ID)
	b.Logf("seeded %d candidates and %d conversations in %v", memCandidates, memConversations, time.Since(seedStart).Round(time.Millisecond))

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(b)
	cached, err := store.NewCached(db, store.CacheConfig{})
	must(b, err)
	b.Cleanup(cached.Close)

	b.ResetTimer()
	for range b.N {
		warmCache(b, ctx, cached, tn.ID)
	}
	b.StopTimer()

	peak := procStatusKB(b, "VmHWM")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := cached.Stats()
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(procStatusKB(b, "VmRSS"))/1024, "RSS-MB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
	b.ReportMetric(float64(st.Entries), "entries")
	b.ReportMetric(float64(st.Hits)/float64(st.Hits+st.Misses), "hit-ratio")
	runtime.KeepAlive(cached)
}

// seedMemory writes the benchmark's candidates, conversations and
// messages in transactions of a thousand records.
func seedMemory(b *testing.B, ctx context.Context, db recrubo.Store, tenantID string) {
	b.Helper()
	const batch = 1000
	now := time.Now()
	for start := 0; start < memCandidates; start += batch {
		must(b, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			for i := start; i < start+batch; i++ {
				id := memCandidateID(i)
				c := &recrubo.Candidate{TenantID: tenantID, ID: id, FirstName: "Jan", LastNamePrefix: "van der", LastName: "Berg " + id,
					Email: id + "@example.nl", Phone: "06 1234 5678", Mobile: "+31 6 1234 5678", PhoneE164: memPhone(i),
					City: "Utrecht", StatusID: "101", StatusLabel: "Actief", OwnerID: "u1", StableHash: fmt.Sprintf("h%d", i),
					ModifiedAt: now.Add(-time.Duration(i) * time.Second), SyncedAt: now}
				if _, err := tx.UpsertCandidate(ctx, c); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	for start := 0; start < memConversations; start += batch {
		must(b, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			for i := start; i < start+batch; i++ {
				at := now.Add(-time.Duration(memConversations-i) * time.Minute)
				conv := &recrubo.Conversation{TenantID: tenantID, Channel: recrubo.ChannelWhatsApp, Phone: memPhone(i),
					CandidateID: memCandidateID(i), State: recrubo.ConversationOpen, LastInboundAt: at, LastMessageAt: at,
					LastMessagePreview: "Ja, dinsdag om tien uur past mij goed."}
				if err := tx.SaveConversation(ctx, conv); err != nil {
					return err
				}
				for j := range memMessages {
					dir := recrubo.Inbound
					if j%2 == 1 {
						dir = recrubo.Outbound
					}
					if _, err := tx.AddMessage(ctx, &recrubo.Message{TenantID: tenantID, ConversationID: conv.ID, Direction: dir,
						Body:   "Goedemorgen, hebt u dinsdag tijd voor een kennismakingsgesprek? Bericht " + strconv.Itoa(j),
						Status: recrubo.StatusReceived, CreatedAt: at.Add(time.Duration(j-memMessages) * time.Second),
						ProviderID: fmt.Sprintf("wamid.%d.%d", i, j)}); err != nil {
						return err
					}
				}
			}
			return nil
		}))
	}
}

// warmCache reads what the service reads, through the cache.
func warmCache(b *testing.B, ctx context.Context, s recrubo.Store, tenantID string) {
	b.Helper()
	for i := range memCandidates {
		if _, err := s.Candidate(ctx, tenantID, memCandidateID(i)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range memConversations {
		id := memCandidateID(i)
		if _, err := s.Candidate(ctx, tenantID, id); err != nil {
			b.Fatal(err)
		}
		if _, err := s.MatchesByCandidate(ctx, tenantID, id); err != nil {
			b.Fatal(err)
		}
		convs, err := s.ConversationsByCandidate(ctx, tenantID, id)
		if err != nil || len(convs) != 1 {
			b.Fatalf("conversations of %s: %d, %v", id, len(convs), err)
		}
		if _, err := s.Messages(ctx, tenantID, convs[0].ID, 50); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Recruiters(ctx, tenantID); err != nil {
			b.Fatal(err)
		}
	}
	for range 10 {
		if _, err := s.ListConversations(ctx, tenantID, recrubo.ConversationFilter{ViewerID: "u1", Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

func memCandidateID(i int) string { return "C" + strconv.Itoa(100000+i) }
func memPhone(i int) string       { return "+316" + strconv.Itoa(10000000+i) }

// resetPeakRSS resets the process's VmHWM to its current RSS (Linux).
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// procStatusKB reads a kB field of /proc/self/status.
func procStatusKB(b *testing.B, field string) int64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			b.Fatalf("%s: %v", field, err)
		}
		return n
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
