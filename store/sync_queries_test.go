package store_test

import (
	"slices"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func testSyncQueries(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	other := createTenant(t, db, "globex")

	// Recruiters keep their stableHash.
	r := &recrubo.Recruiter{TenantID: tn.ID, ID: "u1", UserName: "eva", StableHash: "h1", ModifiedAt: at(1)}
	if ok, err := db.UpsertRecruiter(ctx, r); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got, err := db.Recruiter(ctx, tn.ID, "u1"); err != nil || got.StableHash != "h1" {
		t.Fatalf("recruiter = %+v, %v", got, err)
	}

	// OwnerIDs: distinct owners of live candidates and vacancies, this tenant only.
	for _, c := range []*recrubo.Candidate{
		{TenantID: tn.ID, ID: "c1", OwnerID: "u2", ModifiedAt: at(1)},
		{TenantID: tn.ID, ID: "c2", OwnerID: "u1", ModifiedAt: at(1)},
		{TenantID: tn.ID, ID: "c3", OwnerID: "u9", ModifiedAt: at(1)},
		{TenantID: other.ID, ID: "c1", OwnerID: "x7", ModifiedAt: at(1)},
	} {
		if _, err := db.UpsertCandidate(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", OwnerID: "u1", ModifiedAt: at(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RemoveCandidate(ctx, tn.ID, "c3", at(2)); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.OwnerIDs(ctx, tn.ID); err != nil || !slices.Equal(ids, []string{"u1", "u2"}) {
		t.Fatalf("OwnerIDs = %v, %v; want [u1 u2]", ids, err)
	}

	// Match by id; a removed one is not found.
	if _, err := db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "m1", CandidateID: "c1", VacancyID: "v1", Stage: "Intake", ModifiedAt: at(1)}); err != nil {
		t.Fatal(err)
	}
	if m, err := db.Match(ctx, tn.ID, "m1"); err != nil || m.Stage != "Intake" {
		t.Fatalf("Match = %+v, %v", m, err)
	}
	if _, err := db.Match(ctx, other.ID, "m1"); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Fatalf("another tenant's Match: %v; want ENOTFOUND", err)
	}

	// A tombstone as new as a state blocks it until forgotten; a newer one stays.
	if ok, _ := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: "c3", ModifiedAt: at(2)}); ok {
		t.Fatal("a state as new as the tombstone was applied")
	}
	must(t, db.ForgetTombstone(ctx, tn.ID, recrubo.EntityCandidate, "c3", at(1)))
	if ok, _ := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: "c3", ModifiedAt: at(2)}); ok {
		t.Fatal("ForgetTombstone dropped a tombstone newer than asOf")
	}
	must(t, db.ForgetTombstone(ctx, tn.ID, recrubo.EntityCandidate, "c3", at(2)))
	if ok, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: "c3", FirstName: "Back", ModifiedAt: at(2)}); err != nil || !ok {
		t.Fatalf("after ForgetTombstone the state was not applied: %v, %v", ok, err)
	}
	if err := db.ForgetTombstone(ctx, tn.ID, recrubo.EntityRecruiter, "u1", at(2)); recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("ForgetTombstone of a recruiter: %v; want EINVALID", err)
	}
	// ForgetTombstones: every tombstone of the tenant goes.
	if _, err := db.RemoveMatch(ctx, tn.ID, "m1", at(5)); err != nil {
		t.Fatal(err)
	}
	must(t, db.ForgetTombstones(ctx, tn.ID))
	if ok, err := db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "m1", CandidateID: "c1", VacancyID: "v1", ModifiedAt: at(1)}); err != nil || !ok {
		t.Fatalf("match after ForgetTombstones: %v, %v", ok, err)
	}

	// NoteSyncApplied only moves forward and keeps the rest of the status.
	must(t, db.SaveSyncStatus(ctx, &recrubo.SyncStatus{TenantID: tn.ID, Watermark: at(3), ScopeKey: "k", LastScanAt: at(4)}))
	must(t, db.NoteSyncApplied(ctx, tn.ID, at(10)))
	must(t, db.NoteSyncApplied(ctx, tn.ID, at(5)))
	st, err := db.SyncStatus(ctx, tn.ID)
	if err != nil || !st.LastAppliedAt.Equal(at(10)) || !st.Watermark.Equal(at(3)) || st.ScopeKey != "k" || !st.LastScanAt.Equal(at(4)) {
		t.Fatalf("status = %+v, %v", st, err)
	}

	// EventStats.
	es, err := db.EventStats(ctx, tn.ID, recrubo.SourceCarerix)
	if err != nil || es.Total != 0 || !es.LastReceivedAt.IsZero() {
		t.Fatalf("stats of no events = %+v, %v", es, err)
	}
	for i, id := range []string{"e1", "e2", "e3"} {
		clock.Advance(time.Second)
		if _, err := db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix, ID: id,
			Type: "cremployee:updated" + string(rune('a'+i)), Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, db.MarkEventProcessed(ctx, tn.ID, recrubo.SourceCarerix, "e1", "applied", at(9)))
	es, err = db.EventStats(ctx, tn.ID, recrubo.SourceCarerix)
	if err != nil || es.Total != 3 || es.Unprocessed != 2 || !es.OldestUnprocessedAt.Equal(t0.Add(2*time.Second)) ||
		!es.LastReceivedAt.Equal(t0.Add(3*time.Second)) || es.LastType != "cremployee:updatedc" {
		t.Fatalf("stats = %+v, %v", es, err)
	}
}
