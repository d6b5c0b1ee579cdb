package carerix_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// TestPagesInOneRequest: several page queries asked for in one request
// (each under an alias) answer exactly what each asked alone answers, in
// the order asked, in one GraphQL request, in each profile.
func TestPagesInOneRequest(t *testing.T) {
	for _, profile := range []carerixemu.Profile{carerixemu.ProfileDocs, carerixemu.ProfileObserved} {
		t.Run(string(profile), func(t *testing.T) {
			srv := startEmulator(t, func(o *carerixemu.Options) { o.Profile = profile })
			ids := seedEmployees(t, srv, 12, "CAND_ACTIVE")
			if err := srv.DeleteEmployee(t.Context(), ids[3]); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Contract = nil })
			ctx := t.Context()
			if _, err := c.Contract(ctx); err != nil {
				t.Fatal(err)
			}
			byID := func(id string) carerix.PageRequest {
				q, err := carerix.Eq("_id", id).Build()
				if err != nil {
					t.Fatal(err)
				}
				return carerix.PageRequest{Qualifier: q, Size: 1, NoRestrict: true}
			}
			rs := []carerix.PageRequest{
				byID(ids[7]),
				byID(ids[3]), // soft-deleted: found with norestrict
				byID("no-such-record"),
				{Size: 5, Page: 1},
				byID(ids[0]),
			}
			before := srv.Stats()
			pages, err := c.EmployeePages(ctx, rs)
			if err != nil {
				t.Fatalf("EmployeePages: %v", err)
			}
			after := srv.Stats()
			if n := after.GraphQLRequests - before.GraphQLRequests; n != 1 {
				t.Errorf("%d page queries took %d requests, want 1", len(rs), n)
			}
			op := func(st carerixemu.Stats) carerixemu.OperationStats { return st.Operations["crEmployeePage"] }
			if n := op(after).Calls - op(before).Calls; n != len(rs) {
				t.Errorf("the request ran %d page queries, want %d", n, len(rs))
			}
			if n := op(after).Requests - op(before).Requests; n != 1 {
				t.Errorf("the emulator counted %d requests running the page query, want 1", n)
			}
			if len(pages) != len(rs) {
				t.Fatalf("%d pages for %d requests", len(pages), len(rs))
			}
			for i, r := range rs {
				alone, err := c.EmployeePage(ctx, r)
				if err != nil {
					t.Fatalf("page %d alone: %v", i, err)
				}
				if diff := cmp.Diff(alone, pages[i]); diff != "" {
					t.Errorf("page %d differs from the same query alone (-alone +together):\n%s", i, diff)
				}
			}
			if got := pages[0].Items; len(got) != 1 || got[0].ID != ids[7] {
				t.Errorf("page 0 holds %v, want candidate %s", got, ids[7])
			}
			if got := pages[1].Items; len(got) != 1 || !got[0].Deleted {
				t.Errorf("page 1 holds %+v, want the soft-deleted candidate", got)
			}
			if got := pages[2].Items; len(got) != 0 {
				t.Errorf("page 2 holds %d records, want none", len(got))
			}
			if got := pages[3].Items; len(got) != 5 {
				t.Errorf("page 3 holds %d records, want 5", len(got))
			}
		})
	}
}

// TestPagesOfEachEntity: vacancies, matches and users are read several
// pages to a request too.
func TestPagesOfEachEntity(t *testing.T) {
	srv := startEmulator(t, nil)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 20, Vacancies: 4, Matches: 6, Recruiters: 5}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)
	ctx := t.Context()
	two := []carerix.PageRequest{{Size: 2}, {Size: 2, Page: 1}}
	check := func(what string, n []int, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(n) != 2 || n[0] != 2 || n[1] != 2 {
			t.Errorf("%s: pages of %v records, want two of 2", what, n)
		}
	}
	vs, err := c.VacancyPages(ctx, two)
	check("vacancies", lens(vs), err)
	ms, err := c.MatchPages(ctx, two)
	check("matches", lens(ms), err)
	us, err := c.UserPages(ctx, two)
	check("users", lens(us), err)
	if vs != nil && vs[0].Items[0].ID == vs[1].Items[0].ID {
		t.Errorf("both vacancy pages start with %s", vs[0].Items[0].ID)
	}
}

func lens[T any](pages []*carerix.Page[T]) []int {
	var out []int
	for _, p := range pages {
		out = append(out, len(p.Items))
	}
	return out
}

// TestPagesRefusedForTheirSize: a Carerix bounding the size of a query
// refuses the request whole, as a bad request that says why, while each
// page query alone still works.
func TestPagesRefusedForTheirSize(t *testing.T) {
	srv := startEmulator(t, func(o *carerixemu.Options) { o.MaxSelections = 50 })
	ids := seedEmployees(t, srv, 2, "CAND_ACTIVE")
	c := newClient(t, srv, nil)
	ctx := t.Context()
	var rs []carerix.PageRequest
	for _, id := range ids {
		q, err := carerix.Eq("_id", id).Build()
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, carerix.PageRequest{Qualifier: q, Size: 1})
	}
	pages, err := c.EmployeePages(ctx, rs)
	if !errors.Is(err, carerix.ErrBadRequest) || pages != nil {
		t.Fatalf("two page queries under a bound of 50 selections: %v, %v; want a bad request and no pages", pages, err)
	}
	if !strings.Contains(err.Error(), "selections") {
		t.Errorf("the refusal %q does not say why", err)
	}
	for i, r := range rs {
		p, err := c.EmployeePage(ctx, r)
		if err != nil || len(p.Items) != 1 {
			t.Errorf("page query %d alone: %v, %v", i, p, err)
		}
	}
	one, err := c.EmployeePages(ctx, rs[:1])
	if err != nil || len(one) != 1 || len(one[0].Items) != 1 {
		t.Errorf("one page query by EmployeePages: %v, %v", one, err)
	}
	if got, err := c.EmployeePages(ctx, nil); got != nil || err != nil {
		t.Errorf("no page queries: %v, %v; want nothing asked", got, err)
	}
}
