package store_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func mirrorBehaviours() []behaviour {
	return []behaviour{
		{name: "CandidateRoundTrip", run: testCandidateRoundTrip},
		{name: "OlderUpdateSkipped", run: testOlderUpdateSkipped},
		{name: "TombstoneBlocksOlderPage", run: testTombstoneBlocksOlderPage},
		{name: "RemovalOlderThanRecordIgnored", run: testRemovalOlderThanRecord},
		{name: "RemovalOfUnknownLeavesTombstone", run: testRemovalOfUnknown},
		{name: "ConcurrentUpsertsKeepNewest", run: testConcurrentUpserts},
		{name: "VacancyRules", run: testVacancyRules},
		{name: "Matches", run: testMatches},
		{name: "Recruiters", run: testRecruiters},
		{name: "StatusNodes", run: testStatusNodes},
		{name: "InvalidMirrorWrites", run: testInvalidMirrorWrites},
	}
}

func testCandidateRoundTrip(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	tn := createTenant(t, db, "acme")
	in := candidate(tn.ID, "c1", 10)
	ok, err := db.UpsertCandidate(t.Context(), in)
	must(t, err)
	if !ok {
		t.Fatal("first upsert not applied")
	}
	got, err := db.Candidate(t.Context(), tn.ID, "c1")
	must(t, err)
	if d := diff(in, got); d != "" {
		t.Errorf("candidate read back differs (-want +got):\n%s", d)
	}
	// Another tenant does not see it.
	other := createTenant(t, db, "other")
	_, err = db.Candidate(t.Context(), other.ID, "c1")
	wantCode(t, err, recrubo.ENOTFOUND)
}

func testOlderUpdateSkipped(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	newer := candidate(tn.ID, "c1", 20)
	newer.City = "Amsterdam"
	_, err := db.UpsertCandidate(ctx, newer)
	must(t, err)

	older := candidate(tn.ID, "c1", 10)
	older.City = "Rotterdam"
	ok, err := db.UpsertCandidate(ctx, older)
	must(t, err)
	if ok {
		t.Error("older state reported applied")
	}
	got, err := db.Candidate(ctx, tn.ID, "c1")
	must(t, err)
	if got.City != "Amsterdam" || !got.ModifiedAt.Equal(at(20)) {
		t.Errorf("older state overwrote newer: city %q, modified %v", got.City, got.ModifiedAt)
	}

	// The same modification time again is re-applied (idempotent redelivery
	// may carry details resolved since, such as a status label).
	same := candidate(tn.ID, "c1", 20)
	same.StatusLabel = "Actief (resolved)"
	ok, err = db.UpsertCandidate(ctx, same)
	must(t, err)
	got, err = db.Candidate(ctx, tn.ID, "c1")
	must(t, err)
	if !ok || got.StatusLabel != "Actief (resolved)" {
		t.Errorf("equal modification time: applied %v, label %q", ok, got.StatusLabel)
	}
	// The same time and the same fields is no change: nothing is written,
	// so no cache is invalidated and no page woken (tenants without a
	// stableHash rely on this to tell unchanged records).
	ok, err = db.UpsertCandidate(ctx, same)
	must(t, err)
	if ok {
		t.Error("an unchanged candidate (same time, same fields) reported applied")
	}
	// One field differing is a change, even with an empty stableHash.
	changed := *same
	changed.StableHash = ""
	changed.Mobile = "+31600000009"
	ok, err = db.UpsertCandidate(ctx, &changed)
	must(t, err)
	got, err = db.Candidate(ctx, tn.ID, "c1")
	must(t, err)
	if !ok || got.Mobile != "+31600000009" {
		t.Errorf("a changed field at the same time: applied %v, mobile %q", ok, got.Mobile)
	}
	for _, v := range []struct {
		name string
		up   func() (bool, error)
	}{
		{"vacancy", func() (bool, error) {
			return db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Lasser", ModifiedAt: at(20)})
		}},
		{"match", func() (bool, error) {
			return db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "c1.v1", CandidateID: "c1", VacancyID: "v1",
				Stage: "Intake", ModifiedAt: at(20)})
		}},
	} {
		first, err := v.up()
		must(t, err)
		again, err := v.up()
		must(t, err)
		if !first || again {
			t.Errorf("%s: first upsert applied %v, the same again applied %v; want true, false", v.name, first, again)
		}
	}
}

func testTombstoneBlocksOlderPage(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	_, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 20))
	must(t, err)

	removed, err := db.RemoveCandidate(ctx, tn.ID, "c1", at(30))
	must(t, err)
	if !removed {
		t.Error("removing a stored candidate reported nothing removed")
	}
	_, err = db.Candidate(ctx, tn.ID, "c1")
	wantCode(t, err, recrubo.ENOTFOUND)

	// A sync page read before the removal cannot bring it back, nor can one
	// carrying exactly the removal's time.
	for _, m := range []int{20, 25, 30} {
		ok, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c1", m))
		must(t, err)
		if ok {
			t.Errorf("upsert at minute %d applied over a tombstone at 30", m)
		}
	}
	assertCandidates(t, db, tn.ID, 0)

	// A newer state resurrects the record.
	newer := candidate(tn.ID, "c1", 31)
	newer.City = "Leiden"
	ok, err := db.UpsertCandidate(ctx, newer)
	must(t, err)
	if !ok {
		t.Fatal("newer upsert did not clear the tombstone")
	}
	got, err := db.Candidate(ctx, tn.ID, "c1")
	must(t, err)
	if d := diff(newer, got); d != "" {
		t.Errorf("resurrected candidate differs (-want +got):\n%s", d)
	}
	assertCandidates(t, db, tn.ID, 1)
}

func testRemovalOlderThanRecord(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	_, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 50))
	must(t, err)
	removed, err := db.RemoveCandidate(ctx, tn.ID, "c1", at(40))
	must(t, err)
	if removed {
		t.Error("a removal older than the record reported a removal")
	}
	if _, err := db.Candidate(ctx, tn.ID, "c1"); err != nil {
		t.Errorf("record gone after an older removal: %v", err)
	}
	// Removing twice: the second finds nothing live but moves the
	// tombstone forward.
	_, err = db.RemoveCandidate(ctx, tn.ID, "c1", at(60))
	must(t, err)
	removed, err = db.RemoveCandidate(ctx, tn.ID, "c1", at(70))
	must(t, err)
	if removed {
		t.Error("removing a tombstone reported a removal")
	}
	ok, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 65))
	must(t, err)
	if ok {
		t.Error("upsert older than the advanced tombstone applied")
	}
}

func testRemovalOfUnknown(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	// A delete webhook can arrive before the initial sync reaches the record.
	removed, err := db.RemoveCandidate(ctx, tn.ID, "c9", at(30))
	must(t, err)
	if removed {
		t.Error("removing an unknown candidate reported a removal")
	}
	ok, err := db.UpsertCandidate(ctx, candidate(tn.ID, "c9", 10))
	must(t, err)
	if ok {
		t.Error("the older sync page brought back a deleted candidate")
	}
	ok, err = db.UpsertCandidate(ctx, candidate(tn.ID, "c9", 31))
	must(t, err)
	if !ok {
		t.Error("a newer state did not apply")
	}
}

// testConcurrentUpserts races upserts and one removal of one record from
// many goroutines in random order: the outcome must be the one the rules
// give for the newest state, whatever the interleaving.
func testConcurrentUpserts(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	for round, removeAt := range []int{15, 25} {
		id := []string{"race-a", "race-b"}[round]
		minutes := rand.Perm(20)
		var wg sync.WaitGroup
		errs := make(chan error, 21)
		for _, m := range minutes {
			wg.Go(func() {
				_, err := db.UpsertCandidate(ctx, candidate(tn.ID, id, m+1)) // minutes 1..20
				errs <- err
			})
		}
		wg.Go(func() {
			_, err := db.RemoveCandidate(ctx, tn.ID, id, at(removeAt))
			errs <- err
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		got, err := db.Candidate(ctx, tn.ID, id)
		if removeAt < 20 {
			// States 16..20 are newer than the removal: the newest wins.
			must(t, err)
			if !got.ModifiedAt.Equal(at(20)) || got.StableHash != "h20" {
				t.Errorf("%s: final state modified %v hash %s, want minute 20", id, got.ModifiedAt, got.StableHash)
			}
		} else {
			// The removal is newer than every state.
			wantCode(t, err, recrubo.ENOTFOUND)
		}
	}
}

func testVacancyRules(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	v := &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Verpleegkundige", CompanyName: "Zorg BV",
		StatusID: "7", StatusLabel: "Open", OwnerID: "u1", StableHash: "x", ModifiedAt: at(10), SyncedAt: at(11)}
	_, err := db.UpsertVacancy(ctx, v)
	must(t, err)
	got, err := db.Vacancy(ctx, tn.ID, "v1")
	must(t, err)
	if d := diff(v, got); d != "" {
		t.Errorf("vacancy differs (-want +got):\n%s", d)
	}
	older := *v
	older.Title, older.ModifiedAt = "Old title", at(5)
	if ok, err := db.UpsertVacancy(ctx, &older); err != nil || ok {
		t.Errorf("older vacancy: applied %v, err %v", ok, err)
	}
	if removed, err := db.RemoveVacancy(ctx, tn.ID, "v1", at(12)); err != nil || !removed {
		t.Errorf("RemoveVacancy: removed %v, err %v", removed, err)
	}
	_, err = db.Vacancy(ctx, tn.ID, "v1")
	wantCode(t, err, recrubo.ENOTFOUND)
	if ok, _ := db.UpsertVacancy(ctx, v); ok {
		t.Error("vacancy older than its tombstone came back")
	}
	if n, err := db.CountVacancies(ctx, tn.ID); err != nil || n != 0 {
		t.Errorf("CountVacancies = %d, %v; want 0", n, err)
	}
}

func testMatches(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	for _, m := range []*recrubo.Match{
		{TenantID: tn.ID, ID: "m2", CandidateID: "c1", VacancyID: "v1", Stage: "Voorgesteld", ModifiedAt: at(1)},
		{TenantID: tn.ID, ID: "m1", CandidateID: "c1", VacancyID: "v2", Stage: "Gesprek", ModifiedAt: at(1)},
		{TenantID: tn.ID, ID: "m3", CandidateID: "c2", VacancyID: "v1", Stage: "Geplaatst", ModifiedAt: at(1)},
	} {
		_, err := db.UpsertMatch(ctx, m)
		must(t, err)
	}
	byCand, err := db.MatchesByCandidate(ctx, tn.ID, "c1")
	must(t, err)
	if got := matchIDs(byCand); got != "m1,m2" {
		t.Errorf("MatchesByCandidate(c1) = %s, want m1,m2", got)
	}
	byVac, err := db.MatchesByVacancy(ctx, tn.ID, "v1")
	must(t, err)
	if got := matchIDs(byVac); got != "m2,m3" {
		t.Errorf("MatchesByVacancy(v1) = %s, want m2,m3", got)
	}
	if removed, err := db.RemoveMatch(ctx, tn.ID, "m2", at(2)); err != nil || !removed {
		t.Fatalf("RemoveMatch: %v, %v", removed, err)
	}
	byCand, err = db.MatchesByCandidate(ctx, tn.ID, "c1")
	must(t, err)
	if got := matchIDs(byCand); got != "m1" {
		t.Errorf("after removal MatchesByCandidate(c1) = %s, want m1", got)
	}
	if n, err := db.CountMatches(ctx, tn.ID); err != nil || n != 2 {
		t.Errorf("CountMatches = %d, %v; want 2", n, err)
	}
	var ids []string
	must(t, db.MatchIDs(ctx, tn.ID, func(id string) error { ids = append(ids, id); return nil }))
	if len(ids) != 2 || ids[0] != "m1" || ids[1] != "m3" {
		t.Errorf("MatchIDs = %v, want [m1 m3]", ids)
	}
}

func matchIDs(ms []*recrubo.Match) string {
	var s string
	for i, m := range ms {
		if i > 0 {
			s += ","
		}
		s += m.ID
	}
	return s
}

func testRecruiters(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	active := &recrubo.Recruiter{TenantID: tn.ID, ID: "u2", UserName: "piet", FirstName: "Piet", LastName: "Jansen",
		Email: "piet@acme.nl", Language: "nl", Active: true, ModifiedAt: at(5), SyncedAt: at(6)}
	inactive := &recrubo.Recruiter{TenantID: tn.ID, ID: "u1", UserName: "klaas", Active: false, ModifiedAt: at(5), SyncedAt: at(6)}
	for _, r := range []*recrubo.Recruiter{active, inactive} {
		_, err := db.UpsertRecruiter(ctx, r)
		must(t, err)
	}
	got, err := db.Recruiters(ctx, tn.ID)
	must(t, err)
	if d := diff([]*recrubo.Recruiter{inactive, active}, got); d != "" {
		t.Errorf("Recruiters differ (-want +got):\n%s", d)
	}
	older := *active
	older.Active, older.ModifiedAt = false, at(1)
	if ok, err := db.UpsertRecruiter(ctx, &older); err != nil || ok {
		t.Errorf("older recruiter: applied %v, err %v", ok, err)
	}
	one, err := db.Recruiter(ctx, tn.ID, "u2")
	must(t, err)
	if !one.Active {
		t.Error("older state deactivated the recruiter")
	}
	_, err = db.Recruiter(ctx, tn.ID, "nobody")
	wantCode(t, err, recrubo.ENOTFOUND)
}

func testStatusNodes(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	nodes := []*recrubo.StatusNode{
		{TenantID: tn.ID, Kind: recrubo.StatusCandidate, ID: "30", Value: "Nieuw", ExportCode: "NEW", ParentTags: []string{"CandidateActiveTag"}},
		{TenantID: tn.ID, Kind: recrubo.StatusCandidate, ID: "10", Value: "Actief", ExportCode: "ACT"},
		{TenantID: tn.ID, Kind: recrubo.StatusCandidate, ID: "20", Value: "Uit dienst", NotActive: true, ParentTags: []string{"a", "b"}},
	}
	must(t, db.ReplaceStatusNodes(ctx, tn.ID, recrubo.StatusCandidate, nodes))
	must(t, db.ReplaceStatusNodes(ctx, tn.ID, recrubo.StatusVacancy, []*recrubo.StatusNode{{ID: "90", Value: "Open"}}))
	got, err := db.StatusNodes(ctx, tn.ID, recrubo.StatusCandidate)
	must(t, err)
	if d := diff(nodes, got); d != "" {
		t.Errorf("status nodes differ (-want +got):\n%s", d)
	}
	must(t, db.ReplaceStatusNodes(ctx, tn.ID, recrubo.StatusCandidate, nodes[1:2]))
	got, err = db.StatusNodes(ctx, tn.ID, recrubo.StatusCandidate)
	must(t, err)
	if d := diff(nodes[1:2], got); d != "" {
		t.Errorf("replaced status nodes differ (-want +got):\n%s", d)
	}
	vac, err := db.StatusNodes(ctx, tn.ID, recrubo.StatusVacancy)
	must(t, err)
	if len(vac) != 1 || vac[0].ID != "90" {
		t.Errorf("vacancy status nodes = %v, want [90]", vac)
	}
	wantCode(t, db.ReplaceStatusNodes(ctx, tn.ID, "bogus", nil), recrubo.EINVALID)
}

func testInvalidMirrorWrites(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	noTime := candidate(tn.ID, "c1", 0)
	noTime.ModifiedAt = time.Time{}
	_, err := db.UpsertCandidate(ctx, noTime)
	wantCode(t, err, recrubo.EINVALID)
	_, err = db.RemoveCandidate(ctx, tn.ID, "c1", time.Time{})
	wantCode(t, err, recrubo.EINVALID)
	_, err = db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ModifiedAt: at(1)})
	wantCode(t, err, recrubo.EINVALID)
}

// assertCandidates checks the count, the id stream and the listing agree.
func assertCandidates(t *testing.T, db recrubo.Store, tenantID string, want int) {
	t.Helper()
	ctx := t.Context()
	n, err := db.CountCandidates(ctx, tenantID)
	must(t, err)
	var ids int
	must(t, db.CandidateIDs(ctx, tenantID, func(string) error { ids++; return nil }))
	list, err := db.Candidates(ctx, tenantID, recrubo.ListOptions{})
	must(t, err)
	if n != int64(want) || ids != want || len(list) != want {
		t.Errorf("count %d, ids %d, listed %d; want %d", n, ids, len(list), want)
	}
}
