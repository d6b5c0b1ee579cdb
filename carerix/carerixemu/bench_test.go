package carerixemu_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// BenchmarkCrEmployeePage measures serving crEmployeePage with size 100
// over loopback HTTP, walking the pages of 2,000 seeded candidates.
func BenchmarkCrEmployeePage(b *testing.B) {
	for _, bc := range []struct{ name, qualifier string }{
		{"All", ""},
		{"ActiveTag", "toStatusNode.parentNodes.value = 'CandidateActiveTag'"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := carerixemu.StartTest(b, carerixemu.Options{Tenant: "bench", SigningKey: testKey()})
			if _, err := srv.Seed(b.Context(), carerixemu.SeedOptions{Candidates: 2000, Recruiters: 5, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			tok, err := srv.IssueToken(carerixemu.DefaultClientID, nil)
			if err != nil {
				b.Fatal(err)
			}
			const query = `query ($q: String, $p: Int) { crEmployeePage(qualifier: $q, pageable: {page: $p, size: 100}) {
  totalPages items { _id employeeID firstName lastName lastNamePrefix emailAddress mobileNumber phoneNumber city
    modificationDate stableHash deleted toStatusNode { _id value exportCode } owner { _id } } } }`
			client := &http.Client{}
			records, page := 0, 0
			for b.Loop() {
				body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"q": bc.qualifier, "p": page}})
				req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.GraphQLURL(), bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var out struct {
					Data struct {
						CrEmployeePage struct {
							TotalPages int
							Items      []json.RawMessage
						}
					}
				}
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d: %v", resp.StatusCode, err)
				}
				records += len(out.Data.CrEmployeePage.Items)
				page = (page + 1) % out.Data.CrEmployeePage.TotalPages
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkObservedSortedPage measures crEmployeePage in the observed
// profile, which sorts every page: by employeeID as a walk by key asks,
// and by _id as text without a sort; size 500 over 2,000 candidates.
func BenchmarkObservedSortedPage(b *testing.B) {
	for _, bc := range []struct{ name, pageable string }{
		{"SortByKey", `{page: $p, size: 500, sort: {property: "employeeID"}}`},
		{"DefaultOrder", `{page: $p, size: 500}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := carerixemu.StartTest(b, carerixemu.Options{Tenant: "bench", SigningKey: testKey(), Profile: carerixemu.ProfileObserved})
			if _, err := srv.Seed(b.Context(), carerixemu.SeedOptions{Candidates: 2000, Recruiters: 5, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			tok, err := srv.IssueToken(carerixemu.DefaultClientID, nil)
			if err != nil {
				b.Fatal(err)
			}
			query := `query ($p: Int) { crEmployeePage(pageable: ` + bc.pageable + `) {
  totalPages items { _id employeeID firstName lastName modificationDate toStatusNode { _id value } owner { _id } } } }`
			records, page := 0, 0
			for b.Loop() {
				var out struct {
					CrEmployeePage struct {
						TotalPages int
						Items      []json.RawMessage
					}
				}
				mustData(b, gql(b, srv, tok, query, map[string]any{"p": page}), &out)
				records += len(out.CrEmployeePage.Items)
				page = (page + 1) % out.CrEmployeePage.TotalPages
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
