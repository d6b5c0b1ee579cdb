package carerixsync_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// contractForm is a form of Carerix a drain reads by: with oneByOne, it
// refuses selecting several records by _id in one qualifier
// (carerixemu.Options.NoQualifierIDOr), which discovery finds; with
// refusedByIDs, the contract confirms it but Carerix refuses
// it after the initial sync (carerixemu.Server.RefuseQualifierOr); with
// noDates a Carerix that also refuses qualifiers on dates
// (carerixemu.Options.NoQualifierDate), so each record costs a page query
// of its own, several to a request under aliases; with noAliases one
// that also refuses a query as large as two page queries
// (carerixemu.Options.MaxSelections), so each record costs a request of
// its own.
type contractForm struct {
	name                                       string
	oneByOne, refusedByIDs, noDates, noAliases bool
}

// maxSelections is a bound on a query's size that one page query of any
// entity, in any profile, keeps within (the largest selects 38 fields)
// and two of the smallest do not.
const maxSelections = 50

// emulator makes the emulator's options take form.
func (form contractForm) emulator(o *carerixemu.Options) {
	o.NoQualifierIDOr = form.oneByOne
	o.NoQualifierDate = form.noDates
	if form.noAliases {
		o.MaxSelections = maxSelections
	}
}

// contractForms are the forms of Carerix a drain reads by: records read
// by id many to a request (or, where Carerix refuses that after all, by a
// page query each, several to a request); not by id, but those modified
// lately a page at a time; by a page query each, several to a request;
// and one to a request.
var contractForms = []contractForm{
	{name: "by ids"},
	{name: "by ids refused", refusedByIDs: true},
	{name: "one by one", oneByOne: true},
	{name: "one by one without dates", oneByOne: true, noDates: true},
	{name: "one by one without dates or aliases", oneByOne: true, noDates: true, noAliases: true},
}

// synced makes Carerix take form once the initial sync is done.
func (form contractForm) synced(emu *carerixemu.Server) {
	if form.refusedByIDs {
		emu.RefuseQualifierOr(true)
	}
}

// newDrainEnv starts a stack whose jobs wait, in the given contract form.
func newDrainEnv(t *testing.T, backend string, form contractForm) *synctest.Env {
	return newDrainEnvBatch(t, backend, form, 0, "")
}

// newDrainEnvBatch is newDrainEnv with drains reading batch events at a
// time (0: the default), against Carerix in the given profile ("": docs).
func newDrainEnvBatch(t *testing.T, backend string, form contractForm, batch int, profile carerixemu.Profile) *synctest.Env {
	return synctest.New(t, backend, synctest.Options{NoJobs: true, Profile: profile, Emulator: form.emulator, Sync: func(c *carerixsync.Config) {
		c.DrainBatch = batch
	}})
}

// readOps are the queries that read records.
var readOps = []string{"crEmployeePage", "crVacancyPage", "crMatchPage", "crUserPage", "crEmployee", "crVacancy", "crMatch", "crUser"}

// reads counts the page queries of each entity the emulator answered.
func reads(emu *carerixemu.Server) map[string]int {
	return perReadOp(emu, func(o carerixemu.OperationStats) int { return o.Calls })
}

// readRequests counts the requests that ran the page queries of each
// entity (several may run in one).
func readRequests(emu *carerixemu.Server) map[string]int {
	return perReadOp(emu, func(o carerixemu.OperationStats) int { return o.Requests })
}

// perReadOp returns count of each of readOps' emulator counters.
func perReadOp(emu *carerixemu.Server, count func(carerixemu.OperationStats) int) map[string]int {
	st := emu.Stats()
	out := map[string]int{}
	for _, op := range readOps {
		out[op] = count(st.Operations[op])
	}
	return out
}

// burstRecords picks mirrored records for a burst: 8 candidates, 2
// vacancies and a match of a candidate other than the first (which a
// burst deletes).
func burstRecords(t *testing.T, e *synctest.Env) ([]*recrubo.Candidate, []*recrubo.Vacancy, *recrubo.Match) {
	t.Helper()
	ctx := t.Context()
	cands, err := e.DB.Candidates(ctx, e.Tenant.ID, recrubo.ListOptions{Limit: 8})
	if err != nil || len(cands) < 8 {
		t.Fatalf("candidates: %d, %v", len(cands), err)
	}
	vacs, err := e.DB.Vacancies(ctx, e.Tenant.ID, recrubo.ListOptions{Limit: 2})
	if err != nil || len(vacs) < 2 {
		t.Fatalf("vacancies: %d, %v", len(vacs), err)
	}
	for _, c := range cands[1:] {
		ms, err := e.DB.MatchesByCandidate(ctx, e.Tenant.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) > 0 {
			return cands, vacs, ms[0]
		}
	}
	t.Fatal("no mirrored match among the candidates")
	return nil, nil, nil
}

// TestDrainReadsEachRecordOnce: a burst of edits, several to each record,
// over candidates, vacancies, a match and a recruiter, with one candidate
// deleted after its edits, costs one Carerix read per record (or one per
// entity where the contract allows reading by ids), and the mirror ends
// as Carerix has it: the newest state of each record, the deleted
// candidate and its matches gone.
func TestDrainReadsEachRecordOnce(t *testing.T) {
	for _, backend := range storetest.Backends() {
		for _, form := range contractForms {
			t.Run(backend+"/"+form.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				e := newDrainEnv(t, backend, form)
				syncNow(t, e)
				form.synced(e.Emu)
				cands, vacs, match := burstRecords(t, e)
				recruiters, err := e.DB.Recruiters(ctx, e.Tenant.ID)
				if err != nil || len(recruiters) == 0 {
					t.Fatalf("recruiters: %d, %v", len(recruiters), err)
				}
				stages := e.Emu.StatusInfos()

				for round := range 8 {
					for i, c := range cands {
						if _, err := e.Emu.UpdateEmployee(ctx, c.ID, carerixemu.EmployeeFields{City: carerixemu.Str(fmt.Sprintf("Sneek %d.%d", i, round))}); err != nil {
							t.Fatal(err)
						}
					}
					if round%3 == 0 {
						for i, v := range vacs {
							if _, err := e.Emu.UpdateVacancy(ctx, v.ID, carerixemu.VacancyFields{JobTitle: carerixemu.Str(fmt.Sprintf("Lasser %d.%d", i, round))}); err != nil {
								t.Fatal(err)
							}
						}
					}
					if round%4 == 0 {
						if _, err := e.Emu.UpdateMatch(ctx, match.ID, carerixemu.MatchFields{Stage: carerixemu.Str(stages[round%len(stages)].ID)}); err != nil {
							t.Fatal(err)
						}
						if _, err := e.Emu.UpdateUser(ctx, recruiters[0].ID, carerixemu.UserFields{FirstName: carerixemu.Str(fmt.Sprintf("Anke %d", round))}); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := e.Emu.DeleteEmployee(ctx, cands[0].ID); err != nil {
					t.Fatal(err)
				}
				if err := e.Emu.Webhooks().WaitIdle(ctx); err != nil {
					t.Fatal(err)
				}
				st, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
				if err != nil {
					t.Fatal(err)
				}
				if st.Unprocessed < 64+6+4+1 || st.Unprocessed > 100 {
					t.Fatalf("%d events wait; want the burst's 75 to 100 (one drain batch)", st.Unprocessed)
				}

				e.Emu.ResetStats()
				e.StartJobs(t)
				e.Idle(t, time.Minute)
				e.Check(t, e.DB)

				got, gotRequests := reads(e.Emu), readRequests(e.Emu)
				t.Logf("%d events cost reads %v in requests %v", st.Unprocessed, got, gotRequests)
				want := map[string]int{"crEmployeePage": 1, "crVacancyPage": 1, "crMatchPage": 1, "crUserPage": 1}
				wantRequests := maps.Clone(want)
				switch {
				case form.noDates:
					// The candidates by id, after the refused try to read
					// those modified lately: all in one request, or one
					// each where Carerix refuses a larger query.
					want = map[string]int{"crEmployeePage": len(cands) + 1, "crVacancyPage": len(vacs), "crMatchPage": 1, "crUserPage": 1}
					wantRequests = map[string]int{"crEmployeePage": 2, "crVacancyPage": 1, "crMatchPage": 1, "crUserPage": 1}
					if form.noAliases {
						wantRequests = maps.Clone(want)
					}
				case form.oneByOne:
					// The candidates modified lately in a page; too few
					// vacancies to try that, so they are read by id in
					// one request.
					want = map[string]int{"crEmployeePage": 1, "crVacancyPage": len(vacs), "crMatchPage": 1, "crUserPage": 1}
				case form.refusedByIDs:
					// The refused page by ids, then a page query each in
					// one request; the match and the recruiter alone.
					want = map[string]int{"crEmployeePage": len(cands) + 1, "crVacancyPage": len(vacs) + 1, "crMatchPage": 1, "crUserPage": 1}
					wantRequests = map[string]int{"crEmployeePage": 2, "crVacancyPage": 2, "crMatchPage": 1, "crUserPage": 1}
				}
				for op, n := range got {
					if n > want[op] {
						t.Errorf("%d events cost %d %s reads, want at most %d (all reads: %v)", st.Unprocessed, n, op, want[op], got)
					}
				}
				for op, n := range gotRequests {
					if n > wantRequests[op] {
						t.Errorf("%d events cost %s reads in %d requests, want at most %d (all requests: %v)", st.Unprocessed, op, n, wantRequests[op], gotRequests)
					}
				}
				if got["crEmployeePage"] == 0 || got["crVacancyPage"] == 0 {
					t.Errorf("the candidates and vacancies were not read: %v", got)
				}
				if _, err := e.DB.Candidate(ctx, e.Tenant.ID, cands[0].ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
					t.Errorf("the deleted candidate is still mirrored (%v)", err)
				}
				ms, err := e.DB.MatchesByCandidate(ctx, e.Tenant.ID, cands[0].ID)
				if err != nil || len(ms) != 0 {
					t.Errorf("the deleted candidate's matches: %d, %v; want none", len(ms), err)
				}
			})
		}
	}
}

// TestDrainReadsEachRecordOnceAcrossBatches: a burst of edits that fills
// several drain batches (here 10 events each; 8 candidates edited 8
// times) still costs one read per record: reading a record settles its
// events waiting beyond the batch, so a batch after the first holds only
// records no batch before it named. Counted from the order the events
// were stored in (Carerix delivers them in no set order): by ids, one
// read per batch that names a record; by modified pages, one per batch
// naming 5 records or more and one per record otherwise; where Carerix
// refuses dates, one per record after the refused page. Every event ends
// processed and the mirror holds the last edit. In each profile of the
// emulator, since every read is built from the tenant's contract.
func TestDrainReadsEachRecordOnceAcrossBatches(t *testing.T) {
	const cands, rounds, batch = 8, 8, 10
	for _, backend := range storetest.Backends() {
		for _, profile := range synctest.Profiles() {
			for _, form := range contractForms {
				t.Run(backend+"/"+string(profile)+"/"+form.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					e := newDrainEnvBatch(t, backend, form, batch, profile)
					syncNow(t, e)
					form.synced(e.Emu)
					cs, err := e.DB.Candidates(ctx, e.Tenant.ID, recrubo.ListOptions{Limit: cands})
					if err != nil || len(cs) < cands {
						t.Fatalf("candidates: %d, %v", len(cs), err)
					}
					for round := range rounds {
						for i, c := range cs {
							if _, err := e.Emu.UpdateEmployee(ctx, c.ID, carerixemu.EmployeeFields{City: carerixemu.Str(fmt.Sprintf("Joure %d.%d", i, round))}); err != nil {
								t.Fatal(err)
							}
						}
					}
					if err := e.Emu.Webhooks().WaitIdle(ctx); err != nil {
						t.Fatal(err)
					}
					st, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
					if err != nil || st.Unprocessed != cands*rounds {
						t.Fatalf("%d events wait (%v); want the burst's %d", st.Unprocessed, err, cands*rounds)
					}

					want, wantRequests := wantBatchReads(t, e, batch, form)

					e.Emu.ResetStats()
					e.StartJobs(t)
					e.Idle(t, time.Minute)

					if got := reads(e.Emu)["crEmployeePage"]; got != want {
						t.Errorf("%d events in batches of %d cost %d candidate reads, want %d", cands*rounds, batch, got, want)
					}
					if got := readRequests(e.Emu)["crEmployeePage"]; got != wantRequests {
						t.Errorf("%d events in batches of %d cost candidate reads in %d requests, want %d", cands*rounds, batch, got, wantRequests)
					}
					after, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
					if err != nil || after.Unprocessed != 0 {
						t.Errorf("%d events still wait (%v)", after.Unprocessed, err)
					}
					for i, c := range cs {
						got, err := e.DB.Candidate(ctx, e.Tenant.ID, c.ID)
						if err != nil {
							t.Fatal(err)
						}
						if want := fmt.Sprintf("Joure %d.%d", i, rounds-1); got.City != want {
							t.Errorf("candidate %s: city %q, want the last edit %q", c.ID, got.City, want)
						}
					}
					e.Check(t, e.DB)
				})
			}
		}
	}
}

// TestDrainReadsByOwnQueriesWhereCarerixTakesNoIDQualifier: against a
// Carerix that refuses _id in any qualifier, a drain reads records by
// their own queries (crX(_id)), a deleted candidate reading as gone, and
// the mirror ends as Carerix has it: where discovery found the refusal,
// from the first read; where Carerix refuses only after the initial sync,
// once the first page query on _id is refused.
func TestDrainReadsByOwnQueriesWhereCarerixTakesNoIDQualifier(t *testing.T) {
	for _, backend := range storetest.Backends() {
		for _, later := range []bool{false, true} {
			name := backend + map[bool]string{false: "/known at discovery", true: "/refused after the initial sync"}[later]
			t.Run(name, func(t *testing.T) { drainByOwnQueries(t, backend, later) })
		}
	}
}

// drainByOwnQueries runs TestDrainReadsByOwnQueriesWhereCarerixTakesNoIDQualifier
// on backend, with the refusal known at discovery or only later.
func drainByOwnQueries(t *testing.T, backend string, later bool) {
	t.Parallel()
	ctx := t.Context()
	e := synctest.New(t, backend, synctest.Options{NoJobs: true,
		Emulator: func(o *carerixemu.Options) { o.NoQualifierID = !later }})
	syncNow(t, e)
	e.Emu.RefuseQualifierID(true)
	cands, vacs, match := burstRecords(t, e)
	if err := e.Emu.DeleteEmployee(ctx, cands[0].ID); err != nil {
		t.Fatal(err)
	}
	for i, v := range vacs {
		if _, err := e.Emu.UpdateVacancy(ctx, v.ID, carerixemu.VacancyFields{JobTitle: carerixemu.Str(fmt.Sprintf("Heftruckchauffeur %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	stages := e.Emu.StatusInfos()
	if _, err := e.Emu.UpdateMatch(ctx, match.ID, carerixemu.MatchFields{Stage: carerixemu.Str(stages[len(stages)-1].ID)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Emu.Webhooks().WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	e.Emu.ResetStats()
	e.StartJobs(t)
	e.Idle(t, time.Minute)
	e.Check(t, e.DB)

	got := reads(e.Emu)
	// The deleted candidate first, by its own query, which finds
	// nothing (after its page query on _id, refused, where the
	// contract does not know); the rest by their own queries.
	want := map[string]int{"crEmployee": 1, "crVacancy": len(vacs), "crMatch": 1}
	if later {
		want["crEmployeePage"] = 1
	}
	for _, op := range readOps {
		if got[op] != want[op] {
			t.Errorf("reads %v, want %v", got, want)
			break
		}
	}
	if _, err := e.DB.Candidate(ctx, e.Tenant.ID, cands[0].ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Errorf("the deleted candidate is still mirrored (%v)", err)
	}
}

// TestDrainRemembersWhatCarerixRefused: against a Carerix that refuses
// the date qualifier and a request of two page queries, a drain learns
// both (a refused page of the records modified lately, and refused
// requests of several page queries), and the drain of a later burst asks
// for neither again: one page query per record, one to a request.
func TestDrainRemembersWhatCarerixRefused(t *testing.T) {
	form := contractForms[len(contractForms)-1]
	if !form.noDates || !form.noAliases {
		t.Fatalf("form %q refuses %+v; want dates and aliases refused", form.name, form)
	}
	const cands = 8
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			e := newDrainEnv(t, backend, form)
			syncNow(t, e)
			cs, err := e.DB.Candidates(ctx, e.Tenant.ID, recrubo.ListOptions{Limit: cands})
			if err != nil || len(cs) < cands {
				t.Fatalf("candidates: %d, %v", len(cs), err)
			}
			// drain edits every candidate twice while no job runs, then
			// drains, and returns the emulator's counters of the drain.
			drain := func(burst int) carerixemu.Stats {
				for round := range 2 {
					for i, c := range cs {
						city := fmt.Sprintf("Dokkum %d.%d.%d", burst, i, round)
						if _, err := e.Emu.UpdateEmployee(ctx, c.ID, carerixemu.EmployeeFields{City: &city}); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := e.Emu.Webhooks().WaitIdle(ctx); err != nil {
					t.Fatal(err)
				}
				e.Emu.ResetStats()
				stop := e.StartJobs(t)
				e.Idle(t, time.Minute)
				stop()
				return e.Emu.Stats()
			}
			// refusedDocuments counts the requests that ran no query:
			// those Carerix refused whole.
			refusedDocuments := func(st carerixemu.Stats) int {
				n := st.GraphQLRequests
				for _, op := range st.Operations {
					n -= op.Requests
				}
				return n
			}
			first := drain(1)
			if got := first.Operations["crEmployeePage"].Calls; got != cands+1 {
				t.Errorf("the first drain ran %d candidate page queries, want %d: one refused for its dates, one per record", got, cands+1)
			}
			if refusedDocuments(first) == 0 {
				t.Errorf("the first drain had no request refused for its size: %+v", first)
			}
			second := drain(2)
			if got := second.Operations["crEmployeePage"]; got.Calls != cands || got.Requests != cands {
				t.Errorf("the second drain ran %d candidate page queries in %d requests, want %d in %d: the dates and the large requests asked for again",
					got.Calls, got.Requests, cands, cands)
			}
			if n := refusedDocuments(second); n != 0 {
				t.Errorf("the second drain had %d requests refused whole, want none", n)
			}
			for i, c := range cs {
				got, err := e.DB.Candidate(ctx, e.Tenant.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("Dokkum 2.%d.1", i); got.City != want {
					t.Errorf("candidate %s: city %q, want the last edit %q", c.ID, got.City, want)
				}
			}
		})
	}
}

// wantBatchReads counts the candidate reads a drain taking batch events
// at a time should make of the waiting events, in form, and the requests
// they take: the events in the order they were stored, each batch the
// first batch of those whose record no batch before named.
func wantBatchReads(t *testing.T, e *synctest.Env, batch int, form contractForm) (reads, requests int) {
	t.Helper()
	ids, err := e.DB.WaitingEvents(t.Context(), e.Tenant.ID, recrubo.SourceCarerix, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var order []string // the events' records
	for _, id := range ids {
		ev, err := e.DB.Event(t.Context(), e.Tenant.ID, recrubo.SourceCarerix, id)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, ev.Subject)
	}
	read, datesRefused := map[string]bool{}, false
	for len(order) > 0 {
		named := map[string]bool{}
		for _, sub := range order[:min(batch, len(order))] {
			named[sub] = true
		}
		// Each record by id (a batch names fewer than 20), in one request
		// unless Carerix refuses a query that large.
		byID := 1
		if form.noAliases {
			byID = len(named)
		}
		switch {
		case form.refusedByIDs && len(named) > 1:
			// The refused page by ids, then by id.
			reads, requests = reads+1+len(named), requests+2
		case form.oneByOne && len(named) < 5:
			reads, requests = reads+len(named), requests+byID
		case form.noDates && !datesRefused:
			// The refused page of those modified lately, then by id.
			reads, requests = reads+1+len(named), requests+1+byID
			datesRefused = true
		case form.noDates:
			// By id: the drain remembers Carerix refused the dates.
			reads, requests = reads+len(named), requests+byID
		default:
			reads, requests = reads+1, requests+1
		}
		maps.Copy(read, named)
		order = slices.DeleteFunc(order, func(sub string) bool { return read[sub] })
	}
	return reads, requests
}

// TestDrainStopsOnAnAccessError: when Carerix refuses the credentials, a
// drain stops without marking the burst's events, records why on the
// tenant's sync status and is not retried; once the credentials are
// mended, the events wait for the next drain, which applies them.
func TestDrainStopsOnAnAccessError(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			e := newDrainEnv(t, backend, contractForms[0])
			syncNow(t, e)
			waiting := changeCities(t, e, 12)
			secret := e.Tenant.Carerix.ClientSecret
			e.Tenant.Carerix.ClientSecret = recrubo.NewSecret("wrong-secret")
			if err := e.DB.UpdateTenant(ctx, e.Tenant); err != nil {
				t.Fatal(err)
			}
			e.StartJobs(t)
			if !eventually.True(30*time.Second, func() bool {
				st, err := e.DB.SyncStatus(ctx, e.Tenant.ID)
				return err == nil && st.LastError != ""
			}) {
				t.Fatal("the access error was never recorded")
			}
			st, err := e.DB.SyncStatus(ctx, e.Tenant.ID)
			if err != nil || !strings.Contains(st.LastError, "credentials") {
				t.Errorf("sync status error %q (%v) does not say what to fix", st.LastError, err)
			}
			ev, err := e.DB.EventStats(ctx, e.Tenant.ID, recrubo.SourceCarerix)
			if err != nil || ev.Unprocessed != waiting {
				t.Fatalf("%d of %d events still wait (%v); want all: an access error marks none", ev.Unprocessed, waiting, err)
			}

			e.Tenant.Carerix.ClientSecret = secret
			if err := e.DB.UpdateTenant(ctx, e.Tenant); err != nil {
				t.Fatal(err)
			}
			if err := e.DB.Enqueue(ctx, carerixsync.DrainArgs{TenantID: e.Tenant.ID}, nil); err != nil {
				t.Fatal(err)
			}
			e.Idle(t, time.Minute)
			e.Check(t, e.DB)
		})
	}
}

// TestDrainRecordsInvalidSettingsOnTheEvents: when the tenant's settings
// cannot be applied (a status filter Carerix does not have), each waiting
// event records the failure as its outcome and the drain goes on to the
// end instead of holding the queue.
func TestDrainRecordsInvalidSettingsOnTheEvents(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			e := newDrainEnv(t, backend, contractForms[0])
			syncNow(t, e)
			changeCities(t, e, 6)
			e.Tenant.Filters.CandidateStatuses = append(e.Tenant.Filters.CandidateStatuses, "Niet bestaand")
			if err := e.DB.UpdateTenant(ctx, e.Tenant); err != nil {
				t.Fatal(err)
			}
			ids, err := e.DB.WaitingEvents(ctx, e.Tenant.ID, recrubo.SourceCarerix, 100)
			if err != nil || len(ids) < 6 {
				t.Fatalf("waiting events: %d, %v", len(ids), err)
			}
			e.StartJobs(t)
			e.Idle(t, time.Minute)
			for _, id := range ids {
				ev, err := e.DB.Event(ctx, e.Tenant.ID, recrubo.SourceCarerix, id)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(ev.Outcome, "failed: ") || !strings.Contains(ev.Outcome, "Niet bestaand") {
					t.Errorf("event %s: outcome %q, want the unknown status named", id, ev.Outcome)
				}
			}
			st, err := e.DB.SyncStatus(ctx, e.Tenant.ID)
			if err != nil || !strings.Contains(st.LastError, "Niet bestaand") {
				t.Errorf("sync status error %q (%v), want the unknown status named", st.LastError, err)
			}
		})
	}
}
