package carerixsync_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// TestSchemaChangeStopsTheTenantsSyncSayingWhat changes the tenant's
// Carerix under a running integration: a field every candidate read needs
// leaves its schema. The next webhook's read is rejected, the contract is
// read again, and the tenant's sync stops with one message naming the
// type and the field, in its status and in /metrics; events wait instead
// of being dropped.
func TestSchemaChangeStopsTheTenantsSyncSayingWhat(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			// The Carerix client's clock, moved on below: the client reads
			// a contract again at most once a minute.
			var skew atomic.Int64
			now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
			e := synctest.New(t, backend, synctest.Options{Sync: func(cfg *carerixsync.Config) {
				cfg.Connect = carerixsync.NewClientConnector(func(c *carerix.Config) {
					c.RequestsPerSecond, c.Burst, c.Now = 2000, 200, now
				}, cfg.Store.(recrubo.ContractStore))
			}})
			initialSync(t, e)
			id := firstInScope(t, e)
			const city = "Ter Apel"
			if _, err := e.Emu.UpdateEmployee(t.Context(), id, carerixemu.EmployeeFields{City: carerixemu.Str(city)}); err != nil {
				t.Fatal(err)
			}
			waitCity(t, e.DB, e.Tenant.ID, id, city)

			if err := e.Emu.RemoveFields("CREmployee.toStatusNode"); err != nil {
				t.Fatal(err)
			}
			skew.Store(int64(2 * time.Minute))
			if _, err := e.Emu.UpdateEmployee(t.Context(), id, carerixemu.EmployeeFields{City: carerixemu.Str("Assen")}); err != nil {
				t.Fatal(err)
			}
			const want = "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)"
			var st *recrubo.SyncStatus
			if !eventually.True(20*time.Second, func() bool {
				var err error
				st, err = e.DB.SyncStatus(t.Context(), e.Tenant.ID)
				return err == nil && strings.Contains(st.LastError, want)
			}) {
				t.Fatalf("the sync status never named the missing field: %+v", st)
			}
			if !strings.HasPrefix(st.LastError, "Carerix API contract: ") {
				t.Errorf("status error %q does not say it is the Carerix API contract", st.LastError)
			}
			stored, err := e.DB.CarerixContract(t.Context(), e.Tenant.ID)
			if err != nil || stored.Problem != want {
				t.Errorf("stored contract problem = %q (%v), want %q", stored.Problem, err, want)
			}

			reg := prometheus.NewRegistry()
			reg.MustRegister(carerixsync.NewCollector(e.DB))
			metric := `
# HELP recrubo_carerix_contract_problem 1 when the tenant's Carerix API lacks what the product needs (a required field, or queries it keeps rejecting), which stops its sync; 0 when its contract was read without one.
# TYPE recrubo_carerix_contract_problem gauge
recrubo_carerix_contract_problem{tenant="acme"} 1
`
			if err := testutil.GatherAndCompare(reg, strings.NewReader(metric), "recrubo_carerix_contract_problem"); err != nil {
				t.Error(err)
			}

			// Stopped: the change waits, the mirror keeps the last good
			// state, and a further change waits too.
			if c, err := e.DB.Candidate(t.Context(), e.Tenant.ID, id); err != nil || c.City != city {
				t.Errorf("candidate after the stop = %+v, %v; want the last good city %q", c, err, city)
			}
			if _, err := e.Emu.UpdateEmployee(t.Context(), id, carerixemu.EmployeeFields{City: carerixemu.Str("Emmen")}); err != nil {
				t.Fatal(err)
			}
			if !eventually.True(20*time.Second, func() bool {
				es, err := e.DB.EventStats(t.Context(), e.Tenant.ID, recrubo.SourceCarerix)
				return err == nil && es.Unprocessed >= 1
			}) {
				es, _ := e.DB.EventStats(t.Context(), e.Tenant.ID, recrubo.SourceCarerix)
				t.Errorf("events after the stop: %+v; want the changes waiting, not dropped", es)
			}
		})
	}
}
