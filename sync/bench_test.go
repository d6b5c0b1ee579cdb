package carerixsync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// percentile returns the p-th percentile (0..1) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// concurrently runs fn(i) for i in [0, n) on workers goroutines and
// returns the wall time and each call's latency, sorted.
func concurrently(b *testing.B, n, workers int, fn func(i int) error) (time.Duration, []time.Duration) {
	b.Helper()
	lat := make([]time.Duration, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				if err := fn(i); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	slices.Sort(lat)
	return wall, lat
}

// paced sends n deliveries open loop, one every interval whatever the
// answers, and returns each one's latency from when it was due (so a
// sender that falls behind counts against the latency), sorted.
func paced(b *testing.B, n int, interval time.Duration, fn func(i int) error) []time.Duration {
	b.Helper()
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			if err := fn(i); err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
			lat[i] = time.Since(due)
		})
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	slices.Sort(lat)
	return lat
}

// BenchmarkWebhookIngest measures signed Carerix deliveries accepted
// durably over HTTP (verify, parse, store the event, answer 202), against
// a bare loop that stores the same events with the same durability (one
// committed transaction each, same concurrency, no HTTP, no
// verification). It then sends as many deliveries again open loop, paced
// at half the accepted rate it measured, and reports their
// acknowledgement latency (paced-p50-ms, paced-p99-ms).
func BenchmarkWebhookIngest(b *testing.B) {
	const workers = 16
	for _, backend := range storetest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := synctest.New(b, backend, synctest.Options{NoJobs: true,
				Seed: carerixemu.SeedOptions{Candidates: 1, Recruiters: 1, Seed: 1}})
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				b.Fatal(err)
			}
			pem, _ := webhooks.PublicKeyPEM(key)
			e.Tenant.Webhook.PublicKeyPEM = pem
			if err := e.DB.UpdateTenant(b.Context(), e.Tenant); err != nil {
				b.Fatal(err)
			}
			n := max(b.N, 2000)
			// The first n deliveries are the closed loop's, the next n the
			// paced run's.
			bodies, sigs := make([][]byte, 2*n), make([]string, 2*n)
			for i := range 2 * n {
				bodies[i] = fmt.Appendf(nil, `{"id":"ev-%s-%d","time":"2026-02-14T14:24:40Z","type":"cremployee:updated","tenant":"acme","data":{"entityId":"%d","changedFields":["city"]}}`,
					backend, i, i)
				if sigs[i], err = (webhooks.RSASHA256Signer{}).Sign(key, bodies[i]); err != nil {
					b.Fatal(err)
				}
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
			deliver := func(i int) error {
				req, _ := http.NewRequest(http.MethodPost, e.WebhookURL, bytes.NewReader(bodies[i]))
				req.Header.Set(carerix.SignatureHeader, sigs[i])
				req.Header.Set(carerixsync.WebhookSecretHeader, synctest.WebhookSecret)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					return fmt.Errorf("delivery %d: %s", i, resp.Status)
				}
				return nil
			}
			commits0, held0 := e.DB.EventCommits()
			b.ResetTimer()
			wall, lat := concurrently(b, n, workers, deliver)
			b.StopTimer()
			commits, held := e.DB.EventCommits()
			bareWall, _ := concurrently(b, n, workers, func(i int) error {
				return e.DB.InTx(context.Background(), func(ctx context.Context, tx recrubo.Tx) error {
					_, err := tx.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: e.Tenant.ID, Source: recrubo.SourceCarerix,
						ID: fmt.Sprintf("bare-%d", i), Type: "cremployee:updated", Payload: bodies[i]})
					return err
				})
			})
			rate, bare := float64(n)/wall.Seconds(), float64(n)/bareWall.Seconds()
			pacedLat := paced(b, n, time.Duration(float64(time.Second)/(rate/2)), func(i int) error { return deliver(n + i) })
			b.ReportMetric(rate, "events/s")
			b.ReportMetric(bare, "bare-events/s")
			b.ReportMetric(rate/bare, "ratio")
			b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
			if commits > commits0 {
				b.ReportMetric(float64(held-held0)/float64(commits-commits0), "events/commit")
			}
			b.ReportMetric(rate/2, "paced-events/s")
			b.ReportMetric(float64(percentile(pacedLat, 0.5).Microseconds())/1000, "paced-p50-ms")
			b.ReportMetric(float64(percentile(pacedLat, 0.99).Microseconds())/1000, "paced-p99-ms")
		})
	}
}

// BenchmarkWebhookToVisible measures the time from a change in the
// emulator to the change being visible through the read cache: webhook
// delivery, verification, storage, the processing job (which re-reads the
// candidate), the write and the cache invalidation by the change feed.
func BenchmarkWebhookToVisible(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := synctest.New(b, backend, synctest.Options{})
			runID, _, err := carerixsync.StartInitial(b.Context(), e.DB, e.Tenant.ID)
			if err != nil {
				b.Fatal(err)
			}
			eventually.True(time.Minute, func() bool {
				run, err := e.DB.SyncRun(b.Context(), e.Tenant.ID, runID)
				return err == nil && run.State == recrubo.RunSucceeded
			})
			var ids []string
			for id := range synctest.InScope(b, e.Emu, e.Tenant.Filters).Candidates {
				ids = append(ids, id)
			}
			n := max(b.N, 100)
			lat := make([]time.Duration, 0, n)
			b.ResetTimer()
			for i := range n {
				id, city := ids[i%len(ids)], "Stad"+strconv.Itoa(i)
				if _, err := e.Cached.Candidate(b.Context(), e.Tenant.ID, id); err != nil {
					b.Fatal(err) // cached before the change
				}
				t0 := time.Now()
				if _, err := e.Emu.UpdateEmployee(b.Context(), id, carerixemu.EmployeeFields{City: &city}); err != nil {
					b.Fatal(err)
				}
				for {
					c, err := e.Cached.Candidate(b.Context(), e.Tenant.ID, id)
					if err == nil && c.City == city {
						break
					}
					if time.Since(t0) > 30*time.Second {
						b.Fatalf("change %d never became visible", i)
					}
					time.Sleep(500 * time.Microsecond)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// Environment of the initial-sync child process.
const (
	envSyncChild = "RECRUBO_SYNC_BENCH_CHILD"
	envSyncDB    = "RECRUBO_SYNC_BENCH_DB"
	envSyncKey   = "RECRUBO_SYNC_BENCH_KEY"
	envSyncURL   = "RECRUBO_SYNC_BENCH_URL"
)

// BenchmarkInitialSync100k seeds the emulator with 100,000 candidates (and
// 500 vacancies, 20,000 matches) in this process and runs the initial sync
// into SQLite in a separate process, so the peak RSS it reports (VmHWM)
// is the sync's alone.
func BenchmarkInitialSync100k(b *testing.B) {
	emu := carerixemu.StartTest(b, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(b.Context(), carerixemu.SeedOptions{Candidates: 100_000, Vacancies: 500, Matches: 20_000,
		Recruiters: 25, Seed: 11}); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		dir := b.TempDir()
		key, err := keyring.GenerateKey("bench")
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestInitialSyncChild$", "-test.v")
		cmd.Env = append(os.Environ(), envSyncChild+"=1", envSyncDB+"="+filepath.Join(dir, "sync.db"),
			envSyncKey+"="+key, envSyncURL+"="+emu.URL())
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var records, secs, hwm, cpu, cands float64
		for _, line := range strings.Split(string(out), "\n") {
			if _, err := fmt.Sscanf(strings.TrimSpace(line), "RESULT records=%g seconds=%g vmhwm_kb=%g cpu_seconds=%g candidates=%g",
				&records, &secs, &hwm, &cpu, &cands); err == nil {
				break
			}
		}
		if records == 0 {
			b.Fatalf("child reported nothing:\n%s", out)
		}
		b.ReportMetric(records/secs, "records/s")
		b.ReportMetric(hwm/1024, "peak-RSS-MB")
		b.ReportMetric(records, "records")
		b.ReportMetric(cands, "candidates")
		b.ReportMetric(cpu, "sync-cpu-s")
	}
}

// TestInitialSyncChild is the child process of BenchmarkInitialSync100k;
// it does nothing in a normal test run.
func TestInitialSyncChild(t *testing.T) {
	if os.Getenv(envSyncChild) == "" {
		t.Skip("runs only as the child of BenchmarkInitialSync100k")
	}
	kr, err := keyring.Parse(os.Getenv(envSyncKey))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: "sqlite:" + os.Getenv(envSyncDB), Cipher: kr})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	url := os.Getenv(envSyncURL)
	tn := &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: url, IdentityBaseURL: url, Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret), RateLimit: 100},
		Admin: recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("x")},
		// Every status, so every one of the 100,000 candidates is synced.
		Filters: recrubo.StatusFilters{
			CandidateStatuses: []string{"CAND_NEW", "CAND_ACTIVE", "CAND_AVAILABLE", "CAND_UNAVAILABLE", "CAND_PLACED", "CAND_ARCHIVED", "CAND_OLD"},
			VacancyStatuses:   []string{"VAC_OPEN", "VAC_IN_PROGRESS", "VAC_ON_HOLD", "VAC_FILLED", "VAC_CLOSED"}},
	}
	tn.Normalize()
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	run, err := carerixsync.InitialRun(ctx, db, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	svc := carerixsync.New(carerixsync.Config{Store: db})
	start := time.Now()
	if err := svc.RunInitial(ctx, run, nil); err != nil {
		t.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	p, err := carerixsync.Progress(ctx, db, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var hwm float64
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			hwm, _ = strconv.ParseFloat(strings.Fields(line)[1], 64)
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	fmt.Printf("RESULT records=%d seconds=%.3f vmhwm_kb=%.0f cpu_seconds=%.3f candidates=%d\n", p.Records, secs, hwm, cpu,
		p.InScope[recrubo.EntityCandidate])
}

// BenchmarkDrainBurst: a burst of 3,000 candidate edits over 300 records
// (ten each, in turn), delivered as webhooks to a stack that reads Carerix
// at the default rate limit (5 requests a second). It reports the Carerix
// reads the drains made (page queries, counted at the emulator) and the
// requests they took (read-requests: several may share one), the time
// from the burst's end until every event is applied (drain-s) and, where
// that takes longer than a minute, the events still waiting a minute
// after the burst ended (waiting-60s; drain-s is then -1), in each of
// contractForms: records read by id many to a request (or, where Carerix
// refuses that after all, by a page query each, several to a request);
// not by id, but those modified lately a page at a time; by a page query
// each, several to a request; and one to a request. delivered-s
// is when the last delivery was stored, after the burst's end. Run it
// once: -benchtime 1x.
func BenchmarkDrainBurst(b *testing.B) {
	const records, edits, limit = 300, 3000, time.Minute
	for _, backend := range storetest.Backends() {
		for _, form := range contractForms {
			b.Run(backend+"/"+form.name, func(b *testing.B) { drainBurst(b, backend, form, records, edits, limit) })
		}
	}
}

// drainBurst runs BenchmarkDrainBurst on backend, in the contract form
// form.
func drainBurst(b *testing.B, backend string, form contractForm, records, edits int, limit time.Duration) {
	ctx := b.Context()
	e := synctest.New(b, backend, synctest.Options{
		Seed:     carerixemu.SeedOptions{Candidates: 1000, Vacancies: 12, Matches: 400, Recruiters: 4, Seed: 7},
		Emulator: form.emulator,
		// The default rate limit of the Carerix client.
		Sync: func(c *carerixsync.Config) {
			c.Connect = carerixsync.NewClientConnector(nil, c.Store)
		},
	})
	runID, _, err := carerixsync.StartInitial(ctx, e.DB, e.Tenant.ID)
	if err != nil {
		b.Fatal(err)
	}
	if !eventually.True(5*time.Minute, func() bool {
		run, err := e.DB.SyncRun(ctx, e.Tenant.ID, runID)
		return err == nil && run.State == recrubo.RunSucceeded
	}) {
		b.Fatal("the initial sync did not finish")
	}
	form.synced(e.Emu)
	var ids []string
	for id := range synctest.InScope(b, e.Emu, e.Tenant.Filters).Candidates {
		ids = append(ids, id)
	}
	if len(ids) < records {
		b.Fatalf("%d candidates in scope, want %d", len(ids), records)
	}
	slices.Sort(ids)
	ids = ids[:records]
	before, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
	if err != nil {
		b.Fatal(err)
	}
	e.Emu.ResetStats()
	b.ResetTimer()
	start := time.Now()
	for i := range edits {
		city := fmt.Sprintf("Stad %d", i)
		if _, err := e.Emu.UpdateEmployee(ctx, ids[i%records], carerixemu.EmployeeFields{City: &city}); err != nil {
			b.Fatal(err)
		}
	}
	end := time.Now()
	var waiting int64 = -1
	var delivered time.Duration
	done := eventually.True(limit, func() bool {
		st, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
		if err != nil {
			return false
		}
		if delivered == 0 && st.Total >= before.Total+int64(edits) {
			delivered = time.Since(end)
		}
		// Not yet delivered, and delivered but not yet applied.
		waiting = (before.Total + int64(edits) - st.Total) + (st.Unprocessed - before.Unprocessed)
		return st.Total >= before.Total+int64(edits) && st.Unprocessed == 0
	})
	drained := time.Since(end)
	b.StopTimer()
	stats := e.Emu.Stats()
	reads, requests := 0, 0
	for _, op := range readOps {
		reads += stats.Operations[op].Calls
		requests += stats.Operations[op].Requests
	}
	b.ReportMetric(float64(reads), "reads")
	b.ReportMetric(float64(requests), "read-requests")
	b.ReportMetric(float64(stats.Operations["crEmployeePage"].Calls), "candidate-reads")
	b.ReportMetric(end.Sub(start).Seconds(), "burst-s")
	if delivered > 0 {
		b.ReportMetric(delivered.Seconds(), "delivered-s")
	}
	if done {
		b.ReportMetric(drained.Seconds(), "drain-s")
		b.ReportMetric(0, "waiting-60s")
	} else {
		b.ReportMetric(-1, "drain-s")
		b.ReportMetric(float64(waiting), "waiting-60s")
	}
}
