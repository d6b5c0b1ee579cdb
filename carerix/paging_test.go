package carerix_test

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// servedPages returns how often the emulator served each page of op.
func servedPages(srv *carerixemu.Server, op string) map[int]int {
	return maps.Clone(srv.Stats().Operations[op].Pages)
}

func TestWalkEmployeesVisitsEveryPageOnce(t *testing.T) {
	srv := startEmulator(t, nil)
	want := seedEmployees(t, srv, 250, "CAND_ACTIVE")
	c := newClient(t, srv, nil)

	pager := c.EmployeePager(carerix.PageRequest{Size: 100})
	var progress []carerix.PageInfo
	pager.OnPage = func(p carerix.PageInfo) { progress = append(progress, p) }
	var got []string
	for e, err := range pager.All(t.Context()) {
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		got = append(got, e.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walked ids differ from seeded ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]int{0: 1, 1: 1, 2: 1}, servedPages(srv, "crEmployeePage")); diff != "" {
		t.Errorf("pages served (-want +got):\n%s", diff)
	}
	if len(progress) != 3 {
		t.Fatalf("progress reported %d pages, want 3", len(progress))
	}
	for i, p := range progress {
		if p.Page != i || p.TotalElements != 250 || p.TotalPages != 3 || p.Size != 100 {
			t.Errorf("progress[%d] = %+v", i, p)
		}
	}
	if !progress[2].Last || progress[2].NumberOfElements != 50 {
		t.Errorf("last page info = %+v", progress[2])
	}
	if pager.More() || pager.NextPage() != 3 {
		t.Errorf("after walk: More=%v NextPage=%d", pager.More(), pager.NextPage())
	}
	if got := c.Stats().Requests; got != 3 {
		t.Errorf("client Requests = %d, want 3", got)
	}
}

func TestWalkEmptyResultIsOneRequest(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 3, "CAND_ACTIVE")
	c := newClient(t, srv, nil)
	q, err := carerix.Eq("lastName", "nobody").Build()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range c.Employees(t.Context(), carerix.PageRequest{Qualifier: q}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("got %d employees, want 0", n)
	}
	if diff := cmp.Diff(map[int]int{0: 1}, servedPages(srv, "crEmployeePage")); diff != "" {
		t.Errorf("pages served (-want +got):\n%s", diff)
	}
}

func TestWalkResumesFromCheckpoint(t *testing.T) {
	srv := startEmulator(t, nil)
	ids := seedEmployees(t, srv, 25, "CAND_ACTIVE")
	c := newClient(t, srv, nil)

	var got []string
	for e, err := range c.Employees(t.Context(), carerix.PageRequest{Page: 3, Size: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.ID)
	}
	if diff := cmp.Diff(ids[15:], got); diff != "" {
		t.Errorf("resumed walk (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]int{3: 1, 4: 1}, servedPages(srv, "crEmployeePage")); diff != "" {
		t.Errorf("pages served (-want +got):\n%s", diff)
	}
}

func TestWalkRetriesFailingPageWithoutRewalking(t *testing.T) {
	srv := startEmulator(t, nil)
	ids := seedEmployees(t, srv, 30, "CAND_ACTIVE")
	c := newClient(t, srv, nil)
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{
		{Op: "crEmployeePage", Pages: []int{1}, Times: 2, Status: http.StatusServiceUnavailable},
	}})

	var got []string
	for e, err := range c.Employees(t.Context(), carerix.PageRequest{Size: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
	st := srv.Stats()
	if diff := cmp.Diff(map[int]int{0: 1, 1: 1, 2: 1}, st.Operations["crEmployeePage"].Pages); diff != "" {
		t.Errorf("pages served (-want +got):\n%s", diff)
	}
	if st.Operations["crEmployeePage"].Failed != 2 || st.GraphQLRequests != 5 {
		t.Errorf("emulator saw %d failures in %d requests, want 2 in 5", st.Operations["crEmployeePage"].Failed, st.GraphQLRequests)
	}
	if cs := c.Stats(); cs.Retries != 2 || cs.Requests != 5 || cs.Failures != 0 {
		t.Errorf("client stats = %+v", cs)
	}
}

func TestWalkStopsOnPersistentFailureAndResumes(t *testing.T) {
	srv := startEmulator(t, nil)
	ids := seedEmployees(t, srv, 30, "CAND_ACTIVE")
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Retry.MaxAttempts = 2 })
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{
		{Op: "crEmployeePage", Pages: []int{1}, Times: 2, Status: http.StatusBadGateway},
	}})

	pager := c.EmployeePager(carerix.PageRequest{Size: 10})
	var got []string
	var walkErr error
	for e, err := range pager.All(t.Context()) {
		if err != nil {
			walkErr = err
			break
		}
		got = append(got, e.ID)
	}
	if !errors.Is(walkErr, carerix.ErrServer) {
		t.Fatalf("walk error = %v, want ErrServer", walkErr)
	}
	var ce *carerix.Error
	if !errors.As(walkErr, &ce) || ce.StatusCode != http.StatusBadGateway || ce.Attempts != 2 {
		t.Errorf("error details = %+v", ce)
	}
	if diff := cmp.Diff(ids[:10], got); diff != "" {
		t.Errorf("items before failure (-want +got):\n%s", diff)
	}
	if pager.NextPage() != 1 {
		t.Fatalf("checkpoint NextPage = %d, want 1", pager.NextPage())
	}

	// Resume from the checkpoint with a fresh pager, as a restarted sync would.
	for e, err := range c.Employees(t.Context(), carerix.PageRequest{Size: 10, Page: pager.NextPage()}) {
		if err != nil {
			t.Fatalf("resumed walk: %v", err)
		}
		got = append(got, e.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("items after resume (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]int{0: 1, 1: 1, 2: 1}, servedPages(srv, "crEmployeePage")); diff != "" {
		t.Errorf("pages served (-want +got):\n%s", diff)
	}
}

func TestWalkFiltersByStatusQualifier(t *testing.T) {
	srv := startEmulator(t, nil)
	active := seedEmployees(t, srv, 7, "CAND_ACTIVE")
	newer := seedEmployees(t, srv, 4, "CAND_NEW")
	seedEmployees(t, srv, 5, "CAND_ARCHIVED")
	c := newClient(t, srv, nil)

	tests := []struct {
		name string
		q    carerix.Qualifier
		want []string
	}{
		{"active tag", carerix.Eq("toStatusNode.parentNodes.value", "CandidateActiveTag"), append(slices.Clone(active), newer...)},
		{"export codes", carerix.In("toStatusNode.exportCode", "CAND_NEW"), newer},
		{"export code or", carerix.Or(carerix.Eq("toStatusNode.exportCode", "CAND_ACTIVE"), carerix.Eq("toStatusNode.exportCode", "CAND_NEW")), append(slices.Clone(active), newer...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.q.Build()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for e, err := range c.Employees(t.Context(), carerix.PageRequest{Qualifier: q, Size: 3}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageSizeIsClamped(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 120, "")
	c := newClient(t, srv, nil)
	p, err := c.EmployeePage(t.Context(), carerix.PageRequest{Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	if p.Size != 100 || len(p.Items) != 100 || p.TotalElements != 120 || p.Last {
		t.Errorf("page = %+v with %d items", p.PageInfo, len(p.Items))
	}
	if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{Page: -1}); err == nil {
		t.Error("negative page accepted")
	}
}

// TestWalkGeneratedTenant walks a generated tenant, hostile values and
// soft-deleted records included, and compares with the emulator's counts.
func TestWalkGeneratedTenant(t *testing.T) {
	srv := startEmulator(t, nil)
	res, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 400, Vacancies: 30, Matches: 200, Recruiters: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)
	counts := srv.Counts()

	var employees []string
	deleted := 0
	for e, err := range c.Employees(t.Context(), carerix.PageRequest{NoRestrict: true}) {
		if err != nil {
			t.Fatalf("walking candidates: %v", err)
		}
		employees = append(employees, e.ID)
		if e.Deleted {
			deleted++
		}
	}
	if diff := cmp.Diff(res.Candidates, employees); diff != "" {
		t.Errorf("walked candidates differ from seeded (-want +got):\n%s", diff)
	}
	if deleted != counts.DeletedEmployees {
		t.Errorf("%d deleted candidates, emulator counts %d", deleted, counts.DeletedEmployees)
	}
	nv := 0
	for _, err := range c.Vacancies(t.Context(), carerix.PageRequest{NoRestrict: true}) {
		if err != nil {
			t.Fatalf("walking vacancies: %v", err)
		}
		nv++
	}
	nm := 0
	for m, err := range c.Matches(t.Context(), carerix.PageRequest{NoRestrict: true}) {
		if err != nil {
			t.Fatalf("walking matches: %v", err)
		}
		if m.EmployeeID == "" || m.VacancyID == "" {
			t.Errorf("match %s lacks its links: %+v", m.ID, m)
		}
		nm++
	}
	if nv != len(res.Vacancies) || nm != len(res.Matches) {
		t.Errorf("walked %d vacancies and %d matches, seeded %d and %d", nv, nm, len(res.Vacancies), len(res.Matches))
	}
	nu := 0
	for _, err := range c.Users(t.Context(), carerix.PageRequest{}) {
		if err != nil {
			t.Fatalf("walking users: %v", err)
		}
		nu++
	}
	if nu != counts.Users {
		t.Errorf("walked %d users, emulator has %d", nu, counts.Users)
	}
}
