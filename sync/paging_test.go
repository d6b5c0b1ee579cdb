package carerixsync_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// Regression tests for paging while Carerix changes underneath a walk. A
// walk by page offset lost records: when a record on a page already read
// left the status filter, every later record moved back one place and the
// one at the next page boundary was never listed. The initial sync then
// never stored it (and it being unchanged, no poll found it later); an id
// scan tombstoned it as of the scan's start, newer than the record, so it
// stayed missing until someone edited it in Carerix.

// outOfScopeStatus returns a candidate status the fixture tenant does not
// sync.
func outOfScopeStatus(t *testing.T, emu *carerixemu.Server) string {
	t.Helper()
	for _, n := range emu.DataNodes("Kandidaat-status") {
		if !slices.Contains(candidateFilter, n.Value) {
			return n.Value
		}
	}
	t.Fatal("every candidate status is in scope")
	return ""
}

// leavingScope moves the first candidate of a status-filtered candidate
// page out of scope right after Carerix served that page, once armed: the
// candidate leaves the filter between two page requests of one walk.
type leavingScope struct {
	carerixsync.Reader
	emu    *carerixemu.Server
	status string
	armed  *atomic.Bool
	moved  *atomic.Value // the candidate moved (string)
}

// EmployeePage serves the page, then moves its first candidate once.
// By-id reads and polls (NoRestrict) are left alone.
func (l leavingScope) EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p, err := l.Reader.EmployeePage(ctx, r)
	if err == nil && !r.NoRestrict && len(p.Items) > 0 && l.armed.CompareAndSwap(true, false) {
		id := p.Items[0].ID
		if _, err := l.emu.SetEmployeeStatus(ctx, id, l.status); err != nil {
			return nil, fmt.Errorf("moving candidate %s out of scope: %w", id, err)
		}
		l.moved.Store(id)
	}
	return p, err
}

// leavingScopeFixture is a fixture whose reader moves a candidate out of
// scope mid-walk once armed is set.
func leavingScopeFixture(t *testing.T) (f *fixture, armed *atomic.Bool, moved *atomic.Value) {
	t.Helper()
	armed, moved = &atomic.Bool{}, &atomic.Value{}
	var (
		emu    *carerixemu.Server
		status string
	)
	f = newFixtureWith(t, storetest.SQLite, fixtureOptions{connect: func(next carerixsync.Connector) carerixsync.Connector {
		return func(ctx context.Context, tn *recrubo.Tenant) (carerixsync.Reader, error) {
			r, err := next(ctx, tn)
			if err != nil {
				return nil, err
			}
			return leavingScope{Reader: r, emu: emu, status: status, armed: armed, moved: moved}, nil
		}
	}})
	emu, status = f.emu, outOfScopeStatus(t, f.emu)
	if n := len(f.want(t).Candidates); n <= 20 {
		t.Fatalf("%d candidates in scope fit on one page of 20; the test would prove nothing", n)
	}
	return f, armed, moved
}

// TestInitialSyncKeepsRecordsWhenAnEarlierOneLeavesScopeMidWalk: a
// candidate leaving scope after its page was read must not make the walk
// skip an unchanged in-scope candidate. The poll afterwards (standing in
// for the webhook the fixture does not deliver) removes the one that left
// but cannot find one the walk skipped, since it did not change.
func TestInitialSyncKeepsRecordsWhenAnEarlierOneLeavesScopeMidWalk(t *testing.T) {
	f, armed, moved := leavingScopeFixture(t)
	run, err := carerixsync.InitialRun(t.Context(), f.db, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	armed.Store(true)
	if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
	if moved.Load() == nil {
		t.Fatal("no candidate left scope during the walk; the test proves nothing")
	}
	if err := f.svc.Reconcile(t.Context(), f.tenant.ID, false); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
}

// TestIDScanKeepsRecordsWhenAnEarlierOneLeavesScopeMidScan: the same
// during a reconciliation's id scan, whose sweep must not remove an
// unchanged in-scope candidate the scan did not list; a later scan must
// not leave it missing either.
func TestIDScanKeepsRecordsWhenAnEarlierOneLeavesScopeMidScan(t *testing.T) {
	f, armed, moved := leavingScopeFixture(t)
	run, err := carerixsync.InitialRun(t.Context(), f.db, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
	armed.Store(true)
	if err := f.svc.Reconcile(t.Context(), f.tenant.ID, true); err != nil {
		t.Fatal(err)
	}
	if moved.Load() == nil {
		t.Fatal("no candidate left scope during the scan; the test proves nothing")
	}
	if err := f.svc.Reconcile(t.Context(), f.tenant.ID, false); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
	if err := f.svc.Reconcile(t.Context(), f.tenant.ID, true); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
}

// hiding leaves one candidate out of every status-filtered candidate page,
// as a listing Carerix got wrong would; by-id reads (NoRestrict) still
// find it.
type hiding struct {
	carerixsync.Reader
	id string
}

// EmployeePage serves the page without the hidden candidate.
func (h hiding) EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p, err := h.Reader.EmployeePage(ctx, r)
	if err == nil && !r.NoRestrict {
		p.Items = slices.DeleteFunc(p.Items, func(e carerix.Employee) bool { return e.ID == h.id })
	}
	return p, err
}

// TestScanSweepRereadsUnlistedRecordsBeforeRemovingThem: the sweep removes
// only what Carerix, asked by id, no longer has in scope. A candidate the
// scan's listing missed stays; a purged one and one that left scope go.
func TestScanSweepRereadsUnlistedRecordsBeforeRemovingThem(t *testing.T) {
	var hidden atomic.Value
	hidden.Store("")
	f := newFixtureWith(t, storetest.SQLite, fixtureOptions{connect: func(next carerixsync.Connector) carerixsync.Connector {
		return func(ctx context.Context, tn *recrubo.Tenant) (carerixsync.Reader, error) {
			r, err := next(ctx, tn)
			if err != nil {
				return nil, err
			}
			return hiding{Reader: r, id: hidden.Load().(string)}, nil
		}
	}})
	run, err := carerixsync.InitialRun(t.Context(), f.db, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
	var ids []string
	for id := range f.want(t).Candidates {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) < 3 {
		t.Fatalf("%d candidates in scope; want at least 3", len(ids))
	}
	// No webhooks reach the fixture: only the scan can notice these.
	if err := f.emu.HardDeleteEmployee(t.Context(), ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.SetEmployeeStatus(t.Context(), ids[2], outOfScopeStatus(t, f.emu)); err != nil {
		t.Fatal(err)
	}
	hidden.Store(ids[0])
	if err := f.svc.Reconcile(t.Context(), f.tenant.ID, true); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
}

// reversing serves status-filtered candidate pages in reverse order, as
// an API not sorting by the legacy key would.
type reversing struct{ carerixsync.Reader }

// EmployeePage serves the page reversed.
func (r reversing) EmployeePage(ctx context.Context, req carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p, err := r.Reader.EmployeePage(ctx, req)
	if err == nil && !req.NoRestrict {
		slices.Reverse(p.Items)
	}
	return p, err
}

// TestInitialSyncRefusesPagesNotOrderedByKey: paging by key relies on
// Carerix ordering pages by the legacy key; if it did not, continuing
// after the last key would skip records, so the walk fails instead.
func TestInitialSyncRefusesPagesNotOrderedByKey(t *testing.T) {
	f := newFixtureWith(t, storetest.SQLite, fixtureOptions{connect: func(next carerixsync.Connector) carerixsync.Connector {
		return func(ctx context.Context, tn *recrubo.Tenant) (carerixsync.Reader, error) {
			r, err := next(ctx, tn)
			return reversing{r}, err
		}
	}})
	err := f.svc.RunInitial(t.Context(), f.newRun(t), nil)
	if err == nil || !strings.Contains(err.Error(), "did not order the page by employeeID") {
		t.Fatalf("err = %v; want the walk refused for the page order", err)
	}
}

// recordingPages cancels the sync once op has served `after` pages, as a
// crash would, and records every page request of op it saw served.
type recordingPages struct {
	carerixsync.Reader
	op     string
	after  int
	cancel context.CancelFunc
	mu     *sync.Mutex
	served *[]string
}

// note records a served request of op and cancels after the after-th.
func (r recordingPages) note(op string, req carerix.PageRequest) {
	if op != r.op {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.served = append(*r.served, fmt.Sprintf("page %d of %s", req.Page, req.Qualifier))
	if len(*r.served) == r.after {
		r.cancel()
	}
}

// EmployeePage serves and records a candidate page.
func (r recordingPages) EmployeePage(ctx context.Context, req carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p, err := r.Reader.EmployeePage(ctx, req)
	if err == nil {
		r.note("crEmployeePage", req)
	}
	return p, err
}

// MatchPage serves and records a match page.
func (r recordingPages) MatchPage(ctx context.Context, req carerix.PageRequest) (*carerix.Page[carerix.Match], error) {
	p, err := r.Reader.MatchPage(ctx, req)
	if err == nil {
		r.note("crMatchPage", req)
	}
	return p, err
}

// TestCancelledInitialSyncResumesWithoutRefetchingFinishedPages: a run
// cancelled after its second page continues with that page (fetched but
// not applied), never asking for the first again, and asks for every other
// page once.
// It runs on every backend: the checkpoint's key must survive the store.
func TestCancelledInitialSyncResumesWithoutRefetchingFinishedPages(t *testing.T) {
	for _, backend := range storetest.Backends() {
		for _, op := range []string{"crEmployeePage", "crMatchPage"} {
			t.Run(backend+"/"+op, func(t *testing.T) {
				testCancelledInitialSyncResumes(t, backend, op)
			})
		}
	}
}

// testCancelledInitialSyncResumes cancels the initial sync after op served
// its second page and resumes it.
func testCancelledInitialSyncResumes(t *testing.T, backend, op string) {
	ctx, cancel := context.WithCancel(t.Context())
	var (
		mu     sync.Mutex
		served []string
	)
	f := newFixtureWith(t, backend, fixtureOptions{connect: func(next carerixsync.Connector) carerixsync.Connector {
		return func(ctx context.Context, tn *recrubo.Tenant) (carerixsync.Reader, error) {
			r, err := next(ctx, tn)
			return recordingPages{Reader: r, op: op, after: 2, cancel: cancel, mu: &mu, served: &served}, err
		}
	}})
	run := f.newRun(t)
	if err := f.svc.RunInitial(ctx, run, nil); err == nil {
		t.Fatal("cancelled run reported success")
	}
	if len(served) != 2 {
		t.Fatalf("the cancelled run was served %d pages; want 2", len(served))
	}
	if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
	if len(served) < 4 || served[2] != served[1] {
		t.Fatalf("the resumed run started with %q; want the unapplied second page again (%q)",
			served[min(2, len(served)-1)], served[1])
	}
	seen := map[string]int{}
	for _, s := range served {
		seen[s]++
	}
	for s, n := range seen {
		want := 1
		if s == served[1] {
			want = 2
		}
		if n != want {
			t.Errorf("%s fetched %d times; want %d", s, n, want)
		}
	}
	f.checkMirror(t, f.db)
}

// TestInitialSyncRestartsAnEntityCheckpointedAsAPageOffset: a run left
// half done by a version that paged by offset stored page numbers; they
// say nothing about keys, so that entity's walk starts over (upserts are
// idempotent) and counts each record once.
func TestInitialSyncRestartsAnEntityCheckpointedAsAPageOffset(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	run := f.newRun(t)
	if err := f.db.SaveCheckpoint(t.Context(), &recrubo.SyncCheckpoint{TenantID: f.tenant.ID, RunID: run.ID,
		Entity: recrubo.EntityCandidate, NextPage: 2, Pages: 4, Records: 40, Total: 70}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
		t.Fatal(err)
	}
	f.checkMirror(t, f.db)
	cps, err := f.db.Checkpoints(t.Context(), f.tenant.ID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(len(f.want(t).Candidates))
	for _, cp := range cps {
		if cp.Entity == recrubo.EntityCandidate && (!cp.Done || cp.Records != want || cp.Total != want) {
			t.Errorf("candidate checkpoint %+v; want done with %d records of %d", cp, want, want)
		}
	}
	p, err := carerixsync.Progress(t.Context(), f.db, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Entities {
		if e.PagesDone != e.Pages || e.Pages <= 0 {
			t.Errorf("finished %s shows %d of %d pages done", e.Entity, e.PagesDone, e.Pages)
		}
	}
}

// pacedKey marks the context of the initial sync a test paces.
type pacedKey struct{}

// pace couples the initial sync's page requests with a stream of Carerix
// changes made by another goroutine: page k may be served once the
// changes allowed by page k-1 are made, and page k allows `every` more.
// So changes land while pages are read and applied, without either side
// running far ahead. Waits give up after 10 s so neither can hang a test.
type pace struct {
	every          int64
	pages, changes atomic.Int64
	stopped        atomic.Bool
}

// page registers a page request and waits for the changes before it.
func (p *pace) page() {
	k := p.pages.Add(1)
	eventually.True(10*time.Second, func() bool { return p.changes.Load() >= (k-1)*p.every })
}

// mutate makes changes with step, as the pages allow, until stopped is
// set.
func (p *pace) mutate(ctx context.Context, step func(context.Context) error) error {
	for {
		eventually.True(10*time.Second, func() bool {
			return p.stopped.Load() || p.changes.Load() < p.pages.Load()*p.every
		})
		if p.stopped.Load() {
			return nil
		}
		if err := step(ctx); err != nil {
			return fmt.Errorf("change %d: %w", p.changes.Load()+1, err)
		}
		p.changes.Add(1)
	}
}

// pacing is a reader whose page requests from a context carrying
// pacedKey (the initial sync's) are paced; others (event processing) are
// not.
type pacing struct {
	carerixsync.Reader
	pace *pace
}

// wait paces a request of the initial sync; others pass at once.
func (p pacing) wait(ctx context.Context) {
	if ctx.Value(pacedKey{}) != nil {
		p.pace.page()
	}
}

// EmployeePage waits for its turn, then serves the page.
func (p pacing) EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error) {
	p.wait(ctx)
	return p.Reader.EmployeePage(ctx, r)
}

// VacancyPage waits for its turn, then serves the page.
func (p pacing) VacancyPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Vacancy], error) {
	p.wait(ctx)
	return p.Reader.VacancyPage(ctx, r)
}

// MatchPage waits for its turn, then serves the page.
func (p pacing) MatchPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Match], error) {
	p.wait(ctx)
	return p.Reader.MatchPage(ctx, r)
}

// TestChangesDuringTheInitialSyncConvergeAfterAPoll: Carerix changes
// (creates, edits, status moves, deletions, purges) made while the initial
// sync walks its pages reach the mirror through webhooks and the next
// reconciliation's poll; no id scan is needed for the mirror to equal
// Carerix's in-scope set.
func TestChangesDuringTheInitialSyncConvergeAfterAPoll(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			p := &pace{every: 3}
			e := synctest.New(t, backend, synctest.Options{Sync: func(c *carerixsync.Config) {
				c.PageSize = 5
				connect := c.Connect
				c.Connect = func(ctx context.Context, tn *recrubo.Tenant) (carerixsync.Reader, error) {
					r, err := connect(ctx, tn)
					if err != nil {
						return nil, err
					}
					return pacing{Reader: r, pace: p}, nil
				}
			}})
			m := newMutator(e, 3)
			mutErr := make(chan error, 1)
			go func() { mutErr <- p.mutate(t.Context(), m.step) }()
			run, err := carerixsync.InitialRun(t.Context(), e.DB, e.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			err = e.Service.RunInitial(context.WithValue(t.Context(), pacedKey{}, true), run, nil)
			p.stopped.Store(true)
			if merr := <-mutErr; merr != nil {
				t.Fatal(merr)
			}
			if err != nil {
				t.Fatal(err)
			}
			pages, during := p.pages.Load(), p.changes.Load()
			if pages < 20 || during < (pages-1)*p.every {
				t.Fatalf("%d changes during %d pages; the sync and the changes did not interleave", during, pages)
			}
			e.Idle(t, 60*time.Second)
			if err := e.Service.Reconcile(t.Context(), e.Tenant.ID, false); err != nil {
				t.Fatal(err)
			}
			t.Logf("changes %v during %d pages", m.counts, pages)
			if d := checkKeepingRecruiters(t, e, e.DB); len(d) > 0 {
				t.Fatalf("after the poll, the mirror differs from Carerix:\n  %s", strings.Join(d, "\n  "))
			}
		})
	}
}
