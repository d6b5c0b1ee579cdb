package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func listingBehaviours() []behaviour {
	return []behaviour{
		{name: "ListingPagesByKey", run: testListingPages},
		{name: "ListingQuery", run: testListingQuery},
		{name: "PhoneLookup", run: testPhoneLookup},
		{name: "IDStreaming", run: testIDStreaming},
	}
}

func testListingPages(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn, other := createTenant(t, db, "acme"), createTenant(t, db, "other")
	must(t, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		for i := 1; i <= 25; i++ {
			if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, fmt.Sprintf("c%02d", i), 1)); err != nil {
				return err
			}
		}
		_, err := tx.UpsertCandidate(ctx, candidate(other.ID, "c00", 1))
		return err
	}))
	_, err := db.RemoveCandidate(ctx, tn.ID, "c13", at(2))
	must(t, err)

	var pages [][]string
	after := ""
	for {
		page, err := db.Candidates(ctx, tn.ID, recrubo.ListOptions{AfterID: after, Limit: 10})
		must(t, err)
		if len(page) == 0 {
			break
		}
		var ids []string
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		pages = append(pages, ids)
		after = ids[len(ids)-1]
	}
	if len(pages) != 3 || len(pages[0]) != 10 || len(pages[1]) != 10 || len(pages[2]) != 4 {
		t.Fatalf("pages = %v, want 10+10+4 ids", pages)
	}
	all := slices.Concat(pages...)
	if !slices.IsSorted(all) || slices.Contains(all, "c13") || slices.Contains(all, "c00") {
		t.Errorf("listing = %v: want sorted, without the removed c13 and the other tenant's c00", all)
	}
	def, err := db.Candidates(ctx, tn.ID, recrubo.ListOptions{})
	must(t, err)
	if len(def) != 24 {
		t.Errorf("default limit listed %d, want all 24", len(def))
	}
}

func testListingQuery(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	people := []*recrubo.Candidate{
		{ID: "a", FirstName: "Anna", LastNamePrefix: "de", LastName: "Vries", Email: "anna@example.nl", PhoneE164: "+31611111111"},
		{ID: "b", FirstName: "Bram", LastName: "Jansen", Email: "bram_j@example.nl", Mobile: "06-22222222"},
		{ID: "c", FirstName: "Chloë", LastName: "Ünal", Email: "chloe%x@example.nl"},
	}
	for _, c := range people {
		c.TenantID, c.ModifiedAt = tn.ID, at(1)
		_, err := db.UpsertCandidate(ctx, c)
		must(t, err)
	}
	for _, tc := range []struct{ query, want string }{
		{"JANSEN", "b"},       // case-insensitive name
		{"de vries", "a"},     // full name with prefix
		{"EXAMPLE.NL", "abc"}, // email
		{"2222", "b"},         // mobile as typed
		{"+3161111", "a"},     // normalised phone
		{"ünal", "c"},         // non-ASCII, case-insensitive on both databases
		{"ÜNAL", "c"},
		{"_", "b"},    // a literal underscore, not a wildcard
		{"%x", "c"},   // a literal percent sign
		{"zzz", ""},   // nothing
		{"  ", "abc"}, // blank query lists everything
	} {
		got, err := db.Candidates(ctx, tn.ID, recrubo.ListOptions{Query: tc.query})
		must(t, err)
		var ids string
		for _, c := range got {
			ids += c.ID
		}
		if ids != tc.want {
			t.Errorf("query %q matched %q, want %q", tc.query, ids, tc.want)
		}
	}
	v := &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Senior Verpleegkundige", CompanyName: "Zorg BV", ModifiedAt: at(1)}
	_, err := db.UpsertVacancy(ctx, v)
	must(t, err)
	for q, want := range map[string]int{"verpleeg": 1, "zorg": 1, "bakker": 0} {
		got, err := db.Vacancies(ctx, tn.ID, recrubo.ListOptions{Query: q})
		must(t, err)
		if len(got) != want {
			t.Errorf("vacancy query %q matched %d, want %d", q, len(got), want)
		}
	}
}

func testPhoneLookup(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	for _, c := range []*recrubo.Candidate{
		{ID: "p2", PhoneE164: "+31611111111"},
		{ID: "p1", PhoneE164: "+31611111111"},
		{ID: "p3", PhoneE164: "+31622222222"},
		{ID: "p4", PhoneE164: "+31611111111"},
		{ID: "p5"},
	} {
		c.TenantID, c.ModifiedAt = tn.ID, at(1)
		_, err := db.UpsertCandidate(ctx, c)
		must(t, err)
	}
	_, err := db.RemoveCandidate(ctx, tn.ID, "p4", at(2))
	must(t, err)
	got, err := db.CandidatesByPhone(ctx, tn.ID, "+31611111111")
	must(t, err)
	if len(got) != 2 || got[0].ID != "p1" || got[1].ID != "p2" {
		t.Errorf("CandidatesByPhone = %v, want p1, p2", got)
	}
	none, err := db.CandidatesByPhone(ctx, tn.ID, "")
	must(t, err)
	if len(none) != 0 {
		t.Errorf("empty number matched %d candidates", len(none))
	}
}

// testIDStreaming streams more ids than one page, writing from the callback.
func testIDStreaming(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	const n = 2100
	must(t, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		for i := range n {
			if _, err := tx.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: fmt.Sprintf("id%05d", i), ModifiedAt: at(1)}); err != nil {
				return err
			}
		}
		return nil
	}))
	var seen []string
	err := db.CandidateIDs(ctx, tn.ID, func(id string) error {
		seen = append(seen, id)
		if len(seen)%700 == 0 {
			// A delete scan removes records while it streams.
			_, err := db.RemoveCandidate(ctx, tn.ID, id, at(2))
			return err
		}
		return nil
	})
	must(t, err)
	if len(seen) != n || !slices.IsSorted(seen) {
		t.Errorf("streamed %d ids (sorted: %v), want %d in order", len(seen), slices.IsSorted(seen), n)
	}
	if count, _ := db.CountCandidates(ctx, tn.ID); count != n-3 {
		t.Errorf("count after removals = %d, want %d", count, n-3)
	}
	stop := errors.New("stop")
	calls := 0
	err = db.CandidateIDs(ctx, tn.ID, func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: got %v after %d calls, want it returned after 1", err, calls)
	}
}
