package carerixemu_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestRateLimitBurstThenSuccess(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	srv.SetFaults(carerixemu.Faults{RateLimited: 2, RetryAfter: 1500 * time.Millisecond, ServerErrors: 1, ServerErrorStatus: 502})
	q := `{ crEmployeePage { totalElements } }`
	for i, want := range []int{429, 429, 502, 200} {
		r := gql(t, srv, tok, q, nil)
		if r.Status != want {
			t.Fatalf("request %d: status %d, want %d", i, r.Status, want)
		}
		if want == 429 && r.Header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After = %q, want 2 (1.5 s rounded up)", r.Header.Get("Retry-After"))
		}
	}
	st := srv.Stats()
	if st.InjectedFailures != 3 || st.GraphQLRequests != 4 || st.Operations["crEmployeePage"].Calls != 1 {
		t.Errorf("stats = %+v", st)
	}
	if f := srv.Faults(); f.RateLimited != 0 || f.ServerErrors != 0 {
		t.Errorf("faults left = %+v", f)
	}
}

// TestFailingPageIsRetriedOnce walks all pages, retrying a failed page,
// and checks with the counters that every page was served exactly once.
func TestFailingPageIsRetriedOnce(t *testing.T) {
	srv := start(t)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 95, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, srv)
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crEmployeePage", Pages: []int{2}, Status: 503}}})
	failures := 0
	pages := 0
	for p := 0; ; {
		r := gql(t, srv, tok, pageQuery, map[string]any{"p": p, "s": 20, "all": true})
		if r.Status == http.StatusServiceUnavailable {
			failures++
			if failures > 1 {
				t.Fatal("page failed twice")
			}
			continue
		}
		var out struct{ CrEmployeePage employeePage }
		mustData(t, r, &out)
		pages++
		if out.CrEmployeePage.Last {
			break
		}
		p++
	}
	st := srv.Stats().Operations["crEmployeePage"]
	if failures != 1 || st.Failed != 1 || st.Calls != pages+1 {
		t.Errorf("failures %d, stats %+v, pages %d", failures, st, pages)
	}
	for p := range pages {
		if st.Pages[p] != 1 {
			t.Errorf("page %d served %d times", p, st.Pages[p])
		}
	}
}

func TestNthRequestFailsAndTokenFaults(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{
		{Op: "crVacancyPage", Skip: 2, Times: 2, Status: 504},
		{Op: carerixemu.OpToken, Status: 429, RetryAfter: 3 * time.Second},
	}})
	var got []int
	for range 5 {
		got = append(got, gql(t, srv, tok, `{ crVacancyPage { totalElements } }`, nil).Status)
	}
	if want := []int{200, 200, 504, 504, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	status, _ := requestTokenRaw(t, srv)
	if status != http.StatusTooManyRequests {
		t.Errorf("token status %d, want 429", status)
	}
	if status, _ := requestTokenRaw(t, srv); status != http.StatusOK {
		t.Errorf("token after fault: %d", status)
	}
}

func requestTokenRaw(t *testing.T, srv *carerixemu.Server) (int, tokenResp) {
	t.Helper()
	return requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, true, testClient, testSecret)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMutationFaultChangesNothing(t *testing.T) {
	srv := start(t)
	tok := token(t, srv)
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crEmployeeCreate"}}})
	r := gql(t, srv, tok, `mutation { crEmployeeCreate(request: {_kind: "CREmployee", lastName: "Vos"}) { _id } }`, nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %d", r.Status)
	}
	if n := len(srv.Employees()); n != 0 {
		t.Errorf("%d candidates exist after a failed create", n)
	}
}

func TestFaultsThroughAdminAPI(t *testing.T) {
	srv := start(t)
	body := map[string]any{"rateLimited": 1, "retryAfter": "4s", "latency": "1ms",
		"operations": []map[string]any{{"op": "crEmployeePage", "pages": []int{1}, "status": 503}}}
	var got map[string]any
	if st := adminCall(t, srv, "PUT", "/faults", body, &got); st != http.StatusOK {
		t.Fatalf("PUT faults: %d %v", st, got)
	}
	f := srv.Faults()
	if f.RateLimited != 1 || f.RetryAfter != 4*time.Second || f.Latency != time.Millisecond ||
		len(f.Operations) != 1 || f.Operations[0].Pages[0] != 1 {
		t.Errorf("faults = %+v", f)
	}
	if st := adminCall(t, srv, "PUT", "/faults", map[string]any{"serverErrorStatus": 200}, nil); st != http.StatusBadRequest {
		t.Errorf("bad status accepted: %d", st)
	}
	if st := adminCall(t, srv, "PUT", "/faults", map[string]any{"latency": "soon"}, nil); st != http.StatusBadRequest {
		t.Errorf("bad duration accepted: %d", st)
	}
	if st := adminCall(t, srv, "DELETE", "/faults", nil, nil); st != http.StatusOK || srv.Faults().RateLimited != 0 {
		t.Errorf("DELETE faults: %d %+v", st, srv.Faults())
	}
	var stats carerixemu.Stats
	gql(t, srv, token(t, srv), `{ crEmployeePage { totalElements } }`, nil)
	if adminCall(t, srv, "GET", "/stats", nil, &stats); stats.Operations["crEmployeePage"].Pages[0] != 1 {
		t.Errorf("stats = %+v", stats)
	}
}
