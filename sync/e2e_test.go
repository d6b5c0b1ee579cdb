package carerixsync_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// firstInScope returns a candidate the tenant mirrors.
func firstInScope(t *testing.T, e *synctest.Env) string {
	t.Helper()
	for id := range synctest.InScope(t, e.Emu, e.Tenant.Filters).Candidates {
		return id
	}
	t.Fatal("no candidate in scope")
	return ""
}

// waitCity waits until ds shows the candidate living in city.
func waitCity(t *testing.T, ds recrubo.DataStore, tenantID, id, city string) {
	t.Helper()
	if !eventually.True(20*time.Second, func() bool {
		c, err := ds.Candidate(t.Context(), tenantID, id)
		return err == nil && c.City == city
	}) {
		c, err := ds.Candidate(t.Context(), tenantID, id)
		t.Fatalf("candidate %s never showed city %q: %+v, %v", id, city, c, err)
	}
}

func TestWebhookChangeBecomesVisibleThroughTheCache(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := synctest.New(t, backend, synctest.Options{})
			initialSync(t, e)
			id := firstInScope(t, e)
			before, err := e.Cached.Candidate(t.Context(), e.Tenant.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			// A city the seed never uses, so the change is always a change.
			const city = "Ter Apel"
			if before.City == city {
				t.Fatalf("the candidate lived in %s already; the test proves nothing", city)
			}
			if _, err := e.Emu.UpdateEmployee(t.Context(), id, carerixemu.EmployeeFields{City: carerixemu.Str(city)}); err != nil {
				t.Fatal(err)
			}
			// Processing writes through the store, not the cache: only the
			// change feed can make the cached copy go.
			waitCity(t, e.Cached, e.Tenant.ID, id, city)
			// The event is marked processed (and the status moved) just
			// after the change itself commits.
			var st *recrubo.SyncStatus
			if !eventually.True(10*time.Second, func() bool {
				st, err = e.Cached.SyncStatus(t.Context(), e.Tenant.ID)
				return err == nil && !st.LastAppliedAt.IsZero()
			}) {
				t.Fatalf("status after an applied event = %+v, %v", st, err)
			}
		})
	}
}

func TestWebhookReceivedByOneInstanceIsVisibleInTheOthersCache(t *testing.T) {
	if !strings.Contains(strings.Join(storetest.Backends(), ","), storetest.Postgres) {
		t.Skip("two instances share a database on PostgreSQL only; set " + storetest.URLVariable)
	}
	one := synctest.New(t, storetest.Postgres, synctest.Options{})
	two := synctest.New(t, storetest.Postgres, synctest.Options{Share: one, NoJobs: true})
	initialSync(t, one)
	id := firstInScope(t, one)
	if _, err := two.Cached.Candidate(t.Context(), two.Tenant.ID, id); err != nil {
		t.Fatal(err) // now cached by the second instance
	}
	if _, err := one.Emu.UpdateEmployee(t.Context(), id, carerixemu.EmployeeFields{City: carerixemu.Str("Lelystad")}); err != nil {
		t.Fatal(err)
	}
	waitCity(t, two.Cached, two.Tenant.ID, id, "Lelystad")
}

func TestAccessErrorFailsTheInitialSyncAtOnceWithAClearMessage(t *testing.T) {
	e := synctest.New(t, storetest.SQLite, synctest.Options{})
	e.Tenant.Carerix.ClientSecret = recrubo.NewSecret("wrong-secret")
	if err := e.DB.UpdateTenant(t.Context(), e.Tenant); err != nil {
		t.Fatal(err)
	}
	runID, started, err := carerixsync.StartInitial(t.Context(), e.DB, e.Tenant.ID)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	if !eventually.True(20*time.Second, func() bool {
		run, err := e.DB.SyncRun(t.Context(), e.Tenant.ID, runID)
		return err == nil && run.State == recrubo.RunFailed
	}) {
		t.Fatal("the run never failed")
	}
	run, _ := e.DB.SyncRun(t.Context(), e.Tenant.ID, runID)
	if !strings.Contains(run.Error, "credentials") {
		t.Errorf("run error %q does not say what to fix", run.Error)
	}
	p, err := carerixsync.Progress(t.Context(), e.DB, e.Tenant.ID)
	if err != nil || p.State != "failed" || p.Error != run.Error {
		t.Fatalf("progress = %+v, %v", p, err)
	}
	st, err := e.DB.SyncStatus(t.Context(), e.Tenant.ID)
	if err != nil || st.LastError != run.Error {
		t.Fatalf("status = %+v, %v", st, err)
	}
	var counts map[string]int
	eventually.True(10*time.Second, func() bool {
		counts, err = e.DB.JobCounts(t.Context())
		return err == nil && counts["running"] == 0
	})
	if counts["retryable"] != 0 || counts["cancelled"] != 1 {
		t.Fatalf("jobs %v; want the job cancelled, not retried", counts)
	}
}

func TestStartInitialRunsOnce(t *testing.T) {
	e := synctest.New(t, storetest.SQLite, synctest.Options{})
	initialSync(t, e)
	runID, started, err := carerixsync.StartInitial(t.Context(), e.DB, e.Tenant.ID)
	if err != nil || started || runID == "" {
		t.Fatalf("second StartInitial = %q, %v, %v; want the existing run, not started", runID, started, err)
	}
	if _, _, err := carerixsync.StartInitial(t.Context(), e.DB, "no-such-tenant"); err == nil {
		t.Fatal("StartInitial of an unknown tenant succeeded")
	}
}

func TestProgressAndMetricsDescribeTheSync(t *testing.T) {
	e := synctest.New(t, storetest.SQLite, synctest.Options{})
	p, err := carerixsync.Progress(t.Context(), e.DB, e.Tenant.ID)
	if err != nil || p.State != "not_started" {
		t.Fatalf("progress before = %+v, %v", p, err)
	}
	initialSync(t, e)
	p, err = carerixsync.Progress(t.Context(), e.DB, e.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := synctest.InScope(t, e.Emu, e.Tenant.Filters)
	if p.State != "succeeded" || p.Records != p.Total || p.Records == 0 || p.RatePerSecond <= 0 || p.ETASeconds != 0 ||
		p.InScope[recrubo.EntityCandidate] != int64(len(w.Candidates)) || p.InScope[recrubo.EntityMatch] != int64(len(w.Matches)) ||
		len(p.Entities) != 4 {
		t.Fatalf("progress after = %+v", p)
	}
	b, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(b), `"state":"succeeded"`) || !strings.Contains(string(b), `"candidate":`) {
		t.Fatalf("JSON = %s, %v", b, err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(carerixsync.NewCollector(e.DB))
	want := strings.NewReader(`
# HELP recrubo_sync_error 1 when the tenant's last sync attempt failed and needs attention.
# TYPE recrubo_sync_error gauge
recrubo_sync_error{tenant="acme"} 0
# HELP recrubo_sync_pending_events Webhook events waiting for processing.
# TYPE recrubo_sync_pending_events gauge
recrubo_sync_pending_events{tenant="acme"} 0
`)
	if err := testutil.GatherAndCompare(reg, want, "recrubo_sync_error", "recrubo_sync_pending_events"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(carerixsync.NewCollector(e.DB), "recrubo_sync_records"); n != 4 {
		t.Errorf("%d records series; want one per entity", n)
	}
}

func TestRescopeFollowsChangedFilters(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := synctest.New(t, backend, synctest.Options{})
			initialSync(t, e)
			old := synctest.InScope(t, e.Emu, e.Tenant.Filters)
			e.Tenant.Filters.CandidateStatuses = []string{"Nieuw", "Beschikbaar"}
			if err := e.DB.UpdateTenant(t.Context(), e.Tenant); err != nil {
				t.Fatal(err)
			}
			if err := e.Service.EnqueueDue(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !eventually.True(30*time.Second, func() bool {
				st, err := e.DB.SyncStatus(t.Context(), e.Tenant.ID)
				return err == nil && st.ScopeKey == carerixsync.ScopeKey(e.Tenant.Filters)
			}) {
				t.Fatal("the rescope never finished")
			}
			e.Check(t, e.DB)
			// And back: records that left come back although unchanged.
			e.Tenant.Filters.CandidateStatuses = synctest.CandidateFilter
			if err := e.DB.UpdateTenant(t.Context(), e.Tenant); err != nil {
				t.Fatal(err)
			}
			if err := e.Service.Rescope(t.Context(), e.Tenant.ID); err != nil {
				t.Fatal(err)
			}
			if d := synctest.Diff(synctest.Read(t, e.DB, e.Tenant.ID), old); len(d) > 0 {
				t.Fatalf("after the filters came back:\n  %s", strings.Join(d, "\n  "))
			}
		})
	}
}
