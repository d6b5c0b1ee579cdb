package sync_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	crsync "github.com/recrubo/recrubo-carerix/sync"
)

type fixture struct {
	emu    *carerixemu.Server
	client *carerix.Client
	db     recrubo.Store
	tenant *recrubo.Tenant
}

func newFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 150, Vacancies: 12, Recruiters: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	client, err := carerix.New(carerix.Config{
		APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(),
		ClientID: carerixemu.DefaultClientID, ClientSecret: carerixemu.DefaultClientSecret, RequestsPerSecond: 1000, Burst: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	db := storetest.NewEnv(t, backend).Open(t)
	tn := &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: emu.Realm(), Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("x")},
		Filters: recrubo.StatusFilters{CandidateStatuses: []string{"Actief", "Nieuw"}, VacancyStatuses: []string{"Open"}},
	}
	tn.Normalize()
	if err := db.CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	return &fixture{emu: emu, client: client, db: db, tenant: tn}
}

// newRun records a sync run for checkpoints to belong to.
func (f *fixture) newRun(t *testing.T) string {
	t.Helper()
	run := &recrubo.SyncRun{TenantID: f.tenant.ID, Kind: recrubo.SyncInitial, State: recrubo.RunRunning}
	if err := f.db.CreateSyncRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	if run.ID == "" {
		t.Fatal("CreateSyncRun assigned no id")
	}
	return run.ID
}

// inScope lists the emulator's live candidates whose status label is wanted.
func (f *fixture) inScope(t *testing.T, labels ...string) []string {
	want := map[string]bool{}
	for _, l := range labels {
		want[l] = true
	}
	var ids []string
	for _, e := range f.emu.Employees() {
		if e.Deleted || e.StatusNodeID == 0 {
			continue
		}
		n, err := f.emu.DataNode(strconv.Itoa(e.StatusNodeID))
		if err != nil {
			t.Fatal(err)
		}
		if want[n.Value] {
			ids = append(ids, e.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func (f *fixture) mirrored(t *testing.T) []string {
	var ids []string
	if err := f.db.CandidateIDs(t.Context(), f.tenant.ID, func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInitialSyncStoresExactlyTheInScopeRecords(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			s := &crsync.Syncer{Store: f.db, PageSize: 20}
			run := f.newRun(t)
			if err := s.RunInitial(t.Context(), f.tenant, f.client, run); err != nil {
				t.Fatal(err)
			}
			want := f.inScope(t, "Actief", "Nieuw")
			if len(want) == 0 || len(want) == 150 {
				t.Fatalf("seed gives %d in-scope candidates; the filter would prove nothing", len(want))
			}
			if got := f.mirrored(t); !equal(got, want) {
				t.Fatalf("mirrored %d candidates, want %d in scope", len(got), len(want))
			}
			n, err := f.db.CountVacancies(t.Context(), f.tenant.ID)
			if err != nil || n == 0 || n == 12 {
				t.Errorf("vacancies mirrored = %d, %v; want some but not all of 12", n, err)
			}
			// A second run of the same id finds every checkpoint done and fetches nothing.
			f.emu.ResetStats()
			if err := s.RunInitial(t.Context(), f.tenant, f.client, run); err != nil {
				t.Fatal(err)
			}
			if c := f.emu.Stats().Operations["crEmployeePage"].Calls; c != 0 {
				t.Errorf("finished run fetched %d candidate pages again", c)
			}
		})
	}
}

// cancelAfter cancels the sync after a page has been fetched, as a crash would.
type cancelAfter struct {
	crsync.Reader
	page   int
	cancel context.CancelFunc
}

func (c cancelAfter) EmployeePager(r carerix.PageRequest) *carerix.Pager[carerix.Employee] {
	p := c.Reader.EmployeePager(r)
	p.OnPage = func(info carerix.PageInfo) {
		if info.Page == c.page {
			c.cancel()
		}
	}
	return p
}

func TestInitialSyncResumesWithoutRefetchingFinishedPages(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	s := &crsync.Syncer{Store: f.db, PageSize: 20}
	run := f.newRun(t)
	ctx, cancel := context.WithCancel(t.Context())
	err := s.RunInitial(ctx, f.tenant, cancelAfter{Reader: f.client, page: 2, cancel: cancel}, run)
	if err == nil {
		t.Fatal("cancelled run reported success")
	}
	if err := s.RunInitial(t.Context(), f.tenant, f.client, run); err != nil {
		t.Fatal(err)
	}
	pages := f.emu.Stats().Operations["crEmployeePage"].Pages
	for p, n := range pages {
		if p < 2 && n != 1 {
			t.Errorf("finished page %d fetched %d times", p, n)
		}
		if n > 2 {
			t.Errorf("page %d fetched %d times", p, n)
		}
	}
	if got, want := f.mirrored(t), f.inScope(t, "Actief", "Nieuw"); !equal(got, want) {
		t.Fatalf("after resume mirrored %d, want %d", len(got), len(want))
	}
}

func TestUnknownStatusIsRefusedWithTheTenantsStatuses(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	f.tenant.Filters.CandidateStatuses = []string{"Actief", "Bestaat niet"}
	err := (&crsync.Syncer{Store: f.db}).RunInitial(t.Context(), f.tenant, f.client, f.newRun(t))
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if msg := recrubo.ErrorMessage(err); !contains(msg, `"Bestaat niet"`) || !contains(msg, "Actief") {
		t.Errorf("message %q does not name the unknown status and the real ones", msg)
	}
	if n, _ := f.db.CountCandidates(t.Context(), f.tenant.ID); n != 0 {
		t.Errorf("refused filter still synced %d candidates", n)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
