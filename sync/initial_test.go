package sync_test

import (
	"context"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	crsync "github.com/recrubo/recrubo-carerix/sync"
)

// newRun records a sync run for checkpoints to belong to.
func (f *fixture) newRun(t *testing.T) *recrubo.SyncRun {
	t.Helper()
	run := &recrubo.SyncRun{TenantID: f.tenant.ID, Kind: recrubo.SyncInitial, State: recrubo.RunQueued}
	if err := f.db.CreateSyncRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestInitialSyncStoresExactlyTheInScopeRecords(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			run := f.newRun(t)
			if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
				t.Fatal(err)
			}
			w := f.want(t)
			if len(w.Candidates) == 0 || len(w.Candidates) == 150 || len(w.Vacancies) == 0 || len(w.Vacancies) == 12 ||
				len(w.Matches) == 0 || len(w.Recruiters) == 0 {
				t.Fatalf("seed gives %v in scope; the filters would prove nothing", w)
			}
			if len(f.emu.Matches()) == len(w.Matches) {
				t.Fatalf("every match is in scope; the match scope would prove nothing")
			}
			f.checkMirror(t, f.db)

			got, err := f.db.SyncRun(t.Context(), f.tenant.ID, run.ID)
			if err != nil || got.State != recrubo.RunSucceeded || got.FinishedAt.IsZero() {
				t.Fatalf("run = %+v, %v; want succeeded", got, err)
			}
			st, err := f.db.SyncStatus(t.Context(), f.tenant.ID)
			if err != nil || st.ScopeKey == "" || st.Watermark.IsZero() {
				t.Fatalf("status after the initial sync = %+v, %v", st, err)
			}
			// A second run of the same id finds every checkpoint done and fetches nothing.
			f.emu.ResetStats()
			if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{"crEmployeePage", "crVacancyPage", "crMatchPage", "crUserPage"} {
				if c := f.emu.Stats().Operations[op].Calls; c != 0 {
					t.Errorf("finished run called %s %d times again", op, c)
				}
			}
		})
	}
}

// cancelling cancels the sync once page `page` of operation op has been
// served, as a crash would.
type cancelling struct {
	crsync.Reader
	op     string
	page   int
	cancel context.CancelFunc
}

func (c cancelling) after(op string, p int) {
	if op == c.op && p == c.page {
		c.cancel()
	}
}

func (c cancelling) EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p, err := c.Reader.EmployeePage(ctx, r)
	if err == nil {
		c.after("crEmployeePage", p.Page)
	}
	return p, err
}

func (c cancelling) MatchPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Match], error) {
	p, err := c.Reader.MatchPage(ctx, r)
	if err == nil {
		c.after("crMatchPage", p.Page)
	}
	return p, err
}

func TestCancelledInitialSyncResumesWithoutRefetchingFinishedPages(t *testing.T) {
	for _, op := range []string{"crEmployeePage", "crMatchPage"} {
		t.Run(op, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			f := newFixtureWith(t, storetest.SQLite, fixtureOptions{connect: func(next crsync.Connector) crsync.Connector {
				return func(ctx context.Context, tn *recrubo.Tenant) (crsync.Reader, error) {
					r, err := next(ctx, tn)
					return cancelling{Reader: r, op: op, page: 1, cancel: cancel}, err
				}
			}})
			run := f.newRun(t)
			if err := f.svc.RunInitial(ctx, run, nil); err == nil {
				t.Fatal("cancelled run reported success")
			}
			if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
				t.Fatal(err)
			}
			// Page 0 was applied before the cancel; page 1 was fetched
			// but its transaction was cancelled, so it is fetched again.
			pages := f.emu.Stats().Operations[op].Pages
			if pages[0] != 1 || pages[1] != 2 || pages[2] != 1 {
				t.Errorf("pages fetched %v; want page 0 once, page 1 twice, page 2 once", pages)
			}
			for p, n := range pages {
				if p > 1 && n != 1 {
					t.Errorf("page %d fetched %d times", p, n)
				}
			}
			f.checkMirror(t, f.db)
		})
	}
}

func TestUnknownStatusIsRefusedWithTheTenantsStatuses(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	f.tenant.Filters.CandidateStatuses = []string{"Actief", "Bestaat niet"}
	err := (&crsync.Syncer{Store: f.db}).RunInitial(t.Context(), f.tenant, f.client, f.newRun(t).ID)
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if msg := recrubo.ErrorMessage(err); !strings.Contains(msg, `"Bestaat niet"`) || !strings.Contains(msg, "Actief") {
		t.Errorf("message %q does not name the unknown status and the real ones", msg)
	}
	if n, _ := f.db.CountCandidates(t.Context(), f.tenant.ID); n != 0 {
		t.Errorf("refused filter still synced %d candidates", n)
	}
}
