package carerixsync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// initialSync runs the tenant's initial sync as a job and waits for it.
func initialSync(t *testing.T, e *synctest.Env) {
	t.Helper()
	runID, started, err := carerixsync.StartInitial(t.Context(), e.DB, e.Tenant.ID)
	if err != nil || !started {
		t.Fatalf("StartInitial = %q, %v, %v", runID, started, err)
	}
	// A bound for a hang, not a speed: under the race detector on a
	// loaded machine the largest of these syncs takes well over 30 s.
	if !eventually.True(2*time.Minute, func() bool {
		run, err := e.DB.SyncRun(t.Context(), e.Tenant.ID, runID)
		return err == nil && (run.State == recrubo.RunSucceeded || run.State == recrubo.RunFailed)
	}) {
		t.Fatal("initial sync did not finish")
	}
	if run, _ := e.DB.SyncRun(t.Context(), e.Tenant.ID, runID); run.State != recrubo.RunSucceeded {
		t.Fatalf("initial sync %s: %s", run.State, run.Error)
	}
}

// mutator makes random changes in the emulator from a seeded generator.
type mutator struct {
	e      *synctest.Env
	rng    *rand.Rand
	cand   []string // candidate status labels
	vac    []string // vacancy status labels
	stages []string
	users  []string
	counts map[string]int
}

func newMutator(e *synctest.Env, seed uint64) *mutator {
	m := &mutator{e: e, rng: rand.New(rand.NewPCG(seed, seed)), counts: map[string]int{}}
	for _, n := range e.Emu.DataNodes("Kandidaat-status") {
		m.cand = append(m.cand, n.Value)
	}
	for _, n := range e.Emu.DataNodes("Vacature-status") {
		m.vac = append(m.vac, n.Value)
	}
	for _, s := range e.Emu.StatusInfos() {
		m.stages = append(m.stages, s.StatusName)
	}
	for _, u := range e.Emu.Users() {
		m.users = append(m.users, u.ID)
	}
	return m
}

func (m *mutator) pick(xs []string) string { return xs[m.rng.IntN(len(xs))] }

func live[T any](xs []T, deleted func(T) bool, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		if !deleted(x) {
			out = append(out, id(x))
		}
	}
	return out
}

// step makes one random change; it returns what kind.
func (m *mutator) step(ctx context.Context) error {
	emu := m.e.Emu
	cands := live(emu.Employees(), func(e carerixemu.Employee) bool { return e.Deleted }, func(e carerixemu.Employee) string { return e.ID })
	vacs := live(emu.Vacancies(), func(v carerixemu.Vacancy) bool { return v.Deleted }, func(v carerixemu.Vacancy) string { return v.ID })
	matches := live(emu.Matches(), func(x carerixemu.Match) bool { return x.Deleted }, func(x carerixemu.Match) string { return x.ID })
	n := m.rng.IntN(100)
	var kind string
	var err error
	switch {
	case n < 12:
		kind = "candidate create"
		_, err = emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Nieuw" + strconv.Itoa(m.rng.IntN(1e6))),
			LastName: carerixemu.Str("Kandidaat"), Status: carerixemu.Str(m.pick(m.cand)), Owner: carerixemu.Str(m.pick(m.users))})
	case n < 30:
		kind = "candidate update"
		_, err = emu.UpdateEmployee(ctx, m.pick(cands), carerixemu.EmployeeFields{
			City: carerixemu.Str("Stad" + strconv.Itoa(m.rng.IntN(1e6))), EmailAddress: carerixemu.Str(fmt.Sprintf("x%d@example.nl", m.rng.IntN(1e6)))})
	case n < 48:
		kind = "candidate status"
		_, err = emu.SetEmployeeStatus(ctx, m.pick(cands), m.pick(m.cand))
	case n < 53:
		kind = "candidate delete"
		err = emu.DeleteEmployee(ctx, m.pick(cands))
	case n < 55:
		kind = "candidate purge"
		err = emu.HardDeleteEmployee(ctx, m.pick(cands))
	case n < 59:
		kind = "vacancy create"
		_, err = emu.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Functie " + strconv.Itoa(m.rng.IntN(1e6))),
			CompanyName: carerixemu.Str("Bedrijf"), Status: carerixemu.Str(m.pick(m.vac)), Owner: carerixemu.Str(m.pick(m.users))})
	case n < 65:
		kind = "vacancy update"
		_, err = emu.UpdateVacancy(ctx, m.pick(vacs), carerixemu.VacancyFields{JobTitle: carerixemu.Str("Functie " + strconv.Itoa(m.rng.IntN(1e6)))})
	case n < 70:
		kind = "vacancy status"
		_, err = emu.SetVacancyStatus(ctx, m.pick(vacs), m.pick(m.vac))
	case n < 72:
		kind = "vacancy delete"
		err = emu.DeleteVacancy(ctx, m.pick(vacs))
	case n < 82:
		kind = "match create"
		_, err = emu.CreateMatch(ctx, carerixemu.MatchFields{Employee: carerixemu.Str(m.pick(cands)),
			Vacancy: carerixemu.Str(m.pick(vacs)), Stage: carerixemu.Str(m.pick(m.stages))})
	case n < 92:
		kind = "match stage"
		_, err = emu.SetMatchStage(ctx, m.pick(matches), m.pick(m.stages))
	case n < 96:
		kind = "match delete"
		err = emu.DeleteMatch(ctx, m.pick(matches))
	case n < 97:
		kind = "match purge"
		err = emu.HardDeleteMatch(ctx, m.pick(matches))
	default:
		kind = "user update"
		_, err = emu.UpdateUser(ctx, m.pick(m.users), carerixemu.UserFields{LastName: carerixemu.Str("Achternaam" + strconv.Itoa(m.rng.IntN(1e6)))})
	}
	m.counts[kind]++
	if err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return nil
}

// checkKeepingRecruiters compares the mirror with Carerix, allowing
// recruiters kept after their last in-scope record left (recruiters are
// never removed); those must still match Carerix's user.
func checkKeepingRecruiters(t *testing.T, e *synctest.Env, ds recrubo.DataStore) []string {
	t.Helper()
	g, w := synctest.Read(t, ds, e.Tenant.ID), synctest.InScope(t, e.Emu, e.Tenant.Filters)
	for id := range g.Recruiters {
		if _, ok := w.Recruiters[id]; !ok {
			u, err := e.Emu.User(id)
			if err != nil {
				t.Fatalf("recruiter %s is no Carerix user: %v", id, err)
			}
			w.Recruiters[id] = synctest.RecruiterText(e.Emu, u)
		}
	}
	return synctest.Diff(g, w)
}

// TestRandomChangesWithFaultyWebhooksConvergeAfterReconcile: in each
// profile; against a Carerix that refuses several _ids in one qualifier
// (so records are read by id a page query each); and against one that
// refuses _id in any qualifier (so records are read by their own
// queries, crX(_id)).
func TestRandomChangesWithFaultyWebhooksConvergeAfterReconcile(t *testing.T) {
	type form struct {
		backendAndProfile
		noIDOr, noID bool
	}
	var forms []form
	for _, tc := range backendsAndProfiles() {
		forms = append(forms, form{backendAndProfile: tc})
	}
	for _, b := range storetest.Backends() {
		forms = append(forms, form{backendAndProfile: backendAndProfile{name: b + "/no OR of _id", backend: b}, noIDOr: true},
			form{backendAndProfile: backendAndProfile{name: b + "/no _id", backend: b}, noID: true})
	}
	for _, tc := range forms {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := synctest.New(t, tc.backend, synctest.Options{Profile: tc.profile,
				Emulator: func(o *carerixemu.Options) { o.NoQualifierIDOr, o.NoQualifierID = tc.noIDOr, tc.noID }})
			initialSync(t, e)
			stored, err := e.DB.CarerixContract(t.Context(), e.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			if k, err := carerix.UnmarshalContract(stored.Body); err != nil || k.ReadsByIDs() == (tc.noIDOr || tc.noID) {
				t.Fatalf("the tenant's contract reads by ids: %v (%v), want %v", k.ReadsByIDs(), err, !tc.noIDOr && !tc.noID)
			}
			e.Check(t, e.DB)

			e.Emu.Webhooks().SetFaults(webhooks.Faults{DuplicateRate: 0.1, DropRate: 0.1, ReorderWindow: 8,
				Rand: rand.New(rand.NewPCG(42, 42))})
			m := newMutator(e, 1)
			for i := range randomChanges {
				if err := m.step(t.Context()); err != nil {
					t.Fatalf("change %d: %v", i, err)
				}
			}
			e.Emu.Webhooks().FlushHeld()
			e.Idle(t, 60*time.Second)

			dropped := 0
			for _, h := range hooks(t, e) {
				for _, j := range e.Emu.Webhooks().DeliveryJobs(t.Context(), h) {
					if j.State == webhooks.JobDropped {
						dropped++
					}
				}
			}
			if dropped == 0 {
				t.Fatal("no webhook was dropped; the test would prove nothing")
			}
			before := checkKeepingRecruiters(t, e, e.DB)
			t.Logf("changes %v; %d deliveries dropped; %d differences before reconciling", m.counts, dropped, len(before))

			if err := e.Service.Reconcile(t.Context(), e.Tenant.ID, true); err != nil {
				t.Fatal(err)
			}
			if d := checkKeepingRecruiters(t, e, e.DB); len(d) > 0 {
				t.Fatalf("after reconciling, the mirror differs from Carerix:\n  %s", strings.Join(d, "\n  "))
			}
			if own := reads(e.Emu); tc.noID && own["crEmployee"]+own["crVacancy"]+own["crMatch"]+own["crUser"] == 0 {
				t.Errorf("no record was read by its own query (reads %v): the form proves nothing", own)
			}
			// Nothing was processed twice: one stored event per event id.
			st, err := e.DB.EventStats(t.Context(), e.Tenant.ID, recrubo.SourceCarerix)
			if err != nil || st.Unprocessed != 0 || st.Total == 0 {
				t.Fatalf("events = %+v, %v", st, err)
			}
		})
	}
}

// hooks lists the ids of the tenant's webhooks in the emulator.
func hooks(t *testing.T, e *synctest.Env) []string {
	t.Helper()
	hs, err := e.Emu.Webhooks().Webhooks(t.Context(), e.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return ids
}
