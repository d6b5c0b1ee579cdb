package carerixemu_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// sortedPage runs crEmployeePage with a raw pageable literal and returns
// the order reported and the employee ids in page order.
func sortedPage(t *testing.T, srv *carerixemu.Server, tok, pageable string, vars map[string]any) (string, []int, gqlResp) {
	t.Helper()
	decl := ""
	if vars != nil {
		decl = "($sort: [SortOrder!])"
	}
	r := gql(t, srv, tok, `query `+decl+` { crEmployeePage(pageable: `+pageable+`) { sort items { employeeID } } }`, vars)
	if len(r.Errors) > 0 {
		return "", nil, r
	}
	var out struct {
		CrEmployeePage struct {
			Sort  string
			Items []struct{ EmployeeID int }
		}
	}
	mustData(t, r, &out)
	var ids []int
	for _, it := range out.CrEmployeePage.Items {
		ids = append(ids, it.EmployeeID)
	}
	return out.CrEmployeePage.Sort, ids, r
}

// twelveCandidates creates candidates 1..12, last names alternating
// "Bakker" (odd ids) and "Akker" (even ids).
func twelveCandidates(t *testing.T, srv *carerixemu.Server) {
	t.Helper()
	for i := 1; i <= 12; i++ {
		name := "Bakker"
		if i%2 == 0 {
			name = "Akker"
		}
		if _, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{LastName: carerixemu.Str(name)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestObservedPagesSortAndDefaultToIDText(t *testing.T) {
	srv := startProfile(t, observed)
	twelveCandidates(t, srv)
	tok := token(t, srv)

	// Without sort, _id as text: "10" before "9", so page order is not key order.
	sort, ids, _ := sortedPage(t, srv, tok, `{size: 50}`, nil)
	if want := []int{1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(ids, want) || sort != "_id: ASC" {
		t.Errorf("default order = %v (sort %q), want %v (_id: ASC)", ids, sort, want)
	}
	// The second page continues the same order.
	if _, ids, _ := sortedPage(t, srv, tok, `{page: 1, size: 5}`, nil); !slices.Equal(ids, []int{3, 4, 5, 6, 7}) {
		t.Errorf("page 1 of 5 = %v", ids)
	}

	tests := []struct {
		name, pageable string
		vars           map[string]any
		want           []int
		sort           string
	}{
		{"KeyNumerically", `{size: 50, sort: [{property: "employeeID", direction: ASC}]}`, nil,
			[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "employeeID: ASC"},
		{"DirectionDefaultsToASC", `{size: 3, sort: [{property: "employeeID"}]}`, nil, []int{1, 2, 3}, "employeeID: ASC"},
		{"Descending", `{size: 3, sort: [{property: "employeeID", direction: DESC}]}`, nil, []int{12, 11, 10}, "employeeID: DESC"},
		{"OrdersInSequence", `{size: 50, sort: [{property: "lastName"}, {property: "employeeID", direction: DESC}]}`, nil,
			[]int{12, 10, 8, 6, 4, 2, 11, 9, 7, 5, 3, 1}, "lastName: ASC,employeeID: DESC"},
		// GraphQL input coercion: one object where a list is expected is a list of one.
		{"SingleObjectLiteral", `{size: 2, sort: {property: "employeeID", direction: DESC}}`, nil, []int{12, 11}, "employeeID: DESC"},
		{"SingleObjectVariable", `{size: 2, sort: $sort}`, map[string]any{"sort": map[string]any{"property": "employeeID", "direction": "DESC"}},
			[]int{12, 11}, "employeeID: DESC"},
		{"ListVariable", `{size: 2, sort: $sort}`, map[string]any{"sort": []any{map[string]any{"property": "_id", "direction": "DESC"}}},
			[]int{9, 8}, "_id: DESC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sort, ids, r := sortedPage(t, srv, tok, tc.pageable, tc.vars)
			if len(r.Errors) > 0 {
				t.Fatalf("%s", r.Body)
			}
			if !slices.Equal(ids, tc.want) || sort != tc.sort {
				t.Errorf("ids = %v, sort = %q; want %v, %q", ids, sort, tc.want, tc.sort)
			}
		})
	}

	for _, bad := range []string{
		`{sort: [{property: "nope"}]}`,
		`{sort: [{property: "toStatusNode"}]}`, // a relation, not a scalar
		`{sort: [{property: "stableHash"}]}`,   // not in the observed schema
		`{sort: [{property: "employeeID"}, {property: "EmployeeID"}]}`,
	} {
		if _, _, r := sortedPage(t, srv, tok, bad, nil); r.code() != carerixemu.CodeBadRequest || !strings.Contains(firstError(r), "pageable.sort") {
			t.Errorf("%s: %s", bad, r.Body)
		}
	}
	if r := gql(t, srv, tok, `{ crEmployeePage(pageable: {sort: [{property: "employeeID", direction: SIDEWAYS}]}) { sort } }`, nil); r.code() != carerixemu.CodeBadRequest {
		t.Errorf("unknown direction: %s", r.Body)
	}
	if r := gql(t, srv, tok, `{ webhookPage(pageable: {sort: [{property: "url"}]}) { totalElements } }`, nil); r.code() != carerixemu.CodeBadRequest {
		t.Errorf("sorted webhook page: %s", r.Body)
	}

	// A candidate's nested matches follow the same rules.
	var matchIDs []string
	for range 11 {
		v, err := srv.CreateVacancy(t.Context(), carerixemu.VacancyFields{JobTitle: carerixemu.Str("Monteur")})
		if err != nil {
			t.Fatal(err)
		}
		m, err := srv.CreateMatch(t.Context(), carerixemu.MatchFields{Employee: carerixemu.Str("3"), Vacancy: &v.ID})
		if err != nil {
			t.Fatal(err)
		}
		matchIDs = append(matchIDs, m.ID)
	}
	var nested struct {
		CrEmployee struct {
			A struct {
				Sort  string
				Items []struct {
					ID string `json:"_id"`
				}
			}
			B struct{ Items []struct{ MatchID int } }
		}
	}
	mustData(t, gql(t, srv, tok, `{ crEmployee(_id: "3") {
		a: matches(pageable: {size: 20}) { sort items { _id } }
		b: matches(pageable: {size: 3, sort: {property: "matchID", direction: DESC}}) { items { matchID } } } }`, nil), &nested)
	var got []string
	for _, it := range nested.CrEmployee.A.Items {
		got = append(got, it.ID)
	}
	slices.Sort(matchIDs) // text order
	if !slices.Equal(got, matchIDs) || nested.CrEmployee.A.Sort != "_id: ASC" {
		t.Errorf("nested matches = %v (%s), want %v", got, nested.CrEmployee.A.Sort, matchIDs)
	}
	if b := nested.CrEmployee.B.Items; len(b) != 3 || b[0].MatchID != 11 || b[2].MatchID != 9 {
		t.Errorf("nested matches by matchID DESC = %+v", b)
	}
}

func TestDocsPagesInKeyOrderWithoutSort(t *testing.T) {
	srv := startProfile(t, docs)
	twelveCandidates(t, srv)
	tok := token(t, srv)
	sort, ids, _ := sortedPage(t, srv, tok, `{size: 50}`, nil)
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !slices.Equal(ids, want) || sort != "employeeID: ASC" {
		t.Errorf("docs order = %v (sort %q)", ids, sort)
	}
}

func TestPageSizeLimitByProfile(t *testing.T) {
	for _, tc := range []struct {
		p    carerixemu.Profile
		max  int
		opts func(*carerixemu.Options)
	}{
		{docs, 100, nil},
		{observed, 500, nil},
		{observed, 250, func(o *carerixemu.Options) { o.MaxPageSize = 250 }},
	} {
		t.Run(string(tc.p)+strconv.Itoa(tc.max), func(t *testing.T) {
			var mutate []func(*carerixemu.Options)
			if tc.opts != nil {
				mutate = append(mutate, tc.opts)
			}
			srv := startProfile(t, tc.p, mutate...)
			if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 620, Recruiters: 2, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			live, _ := liveAndAll(srv)
			tok := token(t, srv)
			for _, size := range []int{200, 500, 501, 1000} {
				pg := fetchPage(t, srv, tok, map[string]any{"s": size})
				want := min(size, tc.max)
				if pg.Size != want || pg.NumberOfElements != min(want, live) || pg.TotalElements != live {
					t.Errorf("size %d: got size %d, %d items of %d; want size %d, %d of %d",
						size, pg.Size, pg.NumberOfElements, pg.TotalElements, want, min(want, live), live)
				}
			}
		})
	}
}

func TestTokenLifetimeByProfile(t *testing.T) {
	for _, tc := range []struct {
		p        carerixemu.Profile
		lifetime time.Duration
		want     int
	}{
		{docs, 0, 3600},
		{observed, 0, 300},
		{hostile, 0, 300},
		{observed, 2 * time.Second, 2},
	} {
		t.Run(string(tc.p)+strconv.Itoa(tc.want), func(t *testing.T) {
			clk := newClock()
			srv := startProfile(t, tc.p, func(o *carerixemu.Options) {
				o.Now = clk.Now
				o.TokenLifetime = tc.lifetime
			})
			status, tr := requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, true, testClient, testSecret)
			if status != http.StatusOK || tr.ExpiresIn != tc.want {
				t.Fatalf("token: %d, expires_in %d, want %d", status, tr.ExpiresIn, tc.want)
			}
			query := `{ crUserPage { totalElements } }`
			clk.Advance(time.Duration(tc.want-1) * time.Second)
			if r := gql(t, srv, tr.AccessToken, query, nil); r.Status != http.StatusOK {
				t.Fatalf("a second before expiry: %d %s", r.Status, r.Body)
			}
			clk.Advance(2 * time.Second)
			if r := gql(t, srv, tr.AccessToken, query, nil); r.Status != http.StatusUnauthorized || r.code() != carerixemu.CodeUnauthenticated {
				t.Errorf("after expiry: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestQualifierDatesWithZoneNames compares creation dates with dates
// written with zone names, on both profiles.
func TestQualifierDatesWithZoneNames(t *testing.T) {
	for _, p := range []carerixemu.Profile{docs, observed} {
		t.Run(string(p), func(t *testing.T) {
			clk := newClock() // 2025-03-14 09:30 UTC
			srv := startProfile(t, p, func(o *carerixemu.Options) { o.Now = clk.Now })
			a, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{LastName: carerixemu.Str("Vroeg")})
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Hour) // 11:30 UTC, 12:30 in Amsterdam
			b, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{LastName: carerixemu.Str("Laat")})
			if err != nil {
				t.Fatal(err)
			}
			tok := token(t, srv)
			for _, tc := range []struct {
				q    string
				want []string
			}{
				{`creationDate > (NSCalendarDate)'2025-03-14 10:30:00 Etc/GMT'`, []string{b.ID}},
				{`creationDate > (NSCalendarDate)'2025-03-14 11:30:00 Europe/Amsterdam'`, []string{b.ID}},
				{`creationDate <= (NSCalendarDate)'2025-03-14 10:30:00 Europe/Amsterdam'`, []string{a.ID}},
				{`creationDate = (NSCalendarDate)'2025-03-14 09:30:00 UTC'`, []string{a.ID}},
				{`creationDate = (NSCalendarDate)'2025-03-14 09:30:00 +0000'`, []string{a.ID}},
				{`creationDate >= (NSCalendarDate)'2025-03-14 10:30:00 Etc/GMT-1'`, []string{a.ID, b.ID}},
			} {
				var ids []string
				for _, it := range fetchPage(t, srv, tok, map[string]any{"q": tc.q}).Items {
					ids = append(ids, it.ID)
				}
				slices.Sort(ids)
				if !slices.Equal(ids, tc.want) {
					t.Errorf("%s: %v, want %v", tc.q, ids, tc.want)
				}
			}
			for _, bad := range []string{
				`creationDate > (NSCalendarDate)'2025-03-14 10:30:00 Mars/Olympus'`,
				`creationDate > (NSCalendarDate)'2025-03-14 10:30:00 Local'`,
			} {
				if r := gql(t, srv, tok, pageQuery, map[string]any{"q": bad}); r.code() != carerixemu.CodeInvalidQualifier {
					t.Errorf("%s: %s", bad, r.Body)
				}
			}
		})
	}
}
