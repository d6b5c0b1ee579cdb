package carerixemu_test

import (
	"net/http"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestAdminAPIChangesData(t *testing.T) {
	srv := start(t)
	var seeded struct {
		Created map[string]int
		Counts  carerixemu.Counts
	}
	if st := adminCall(t, srv, "POST", "/seed", carerixemu.SeedOptions{Candidates: 12, Vacancies: 4, Matches: 6, Recruiters: 2, Seed: 5}, &seeded); st != http.StatusCreated {
		t.Fatalf("seed: %d", st)
	}
	if seeded.Created["candidates"] != 12 || seeded.Created["matches"] != 6 || seeded.Counts.Employees+seeded.Counts.DeletedEmployees != 12 {
		t.Errorf("seed result = %+v", seeded)
	}

	var c carerixemu.Employee
	if st := adminCall(t, srv, "POST", "/candidates", map[string]any{"firstName": "Noor", "lastName": "Kok", "status": "CAND_NEW"}, &c); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	var patched carerixemu.Employee
	if st := adminCall(t, srv, "PATCH", "/candidates/"+c.ID, map[string]any{"city": "Delft"}, &patched); st != http.StatusOK ||
		*patched.City != "Delft" || patched.StableHash == c.StableHash {
		t.Errorf("patch: %d %+v", st, patched)
	}
	var v carerixemu.Vacancy
	adminCall(t, srv, "POST", "/vacancies", map[string]any{"jobTitle": "Planner", "status": "Open"}, &v)
	var m carerixemu.Match
	if st := adminCall(t, srv, "POST", "/matches", map[string]any{"employee": c.ID, "vacancy": v.ID}, &m); st != http.StatusCreated {
		t.Fatalf("match: %d", st)
	}
	if st := adminCall(t, srv, "POST", "/matches/"+m.ID+"/stage", map[string]any{"stage": "Voorgesteld"}, &m); st != http.StatusOK || m.StatusInfoID != 2 {
		t.Errorf("stage: %d %+v", st, m)
	}
	if st := adminCall(t, srv, "POST", "/vacancies/"+v.ID+"/status", map[string]any{"status": "Gesloten"}, nil); st != http.StatusOK {
		t.Errorf("vacancy status: %d", st)
	}

	// In this order: the soft delete first, then the hard delete of the
	// now soft-deleted record.
	for _, step := range []struct {
		path string
		want int
	}{
		{"/candidates/" + c.ID, http.StatusOK},
		{"/candidates/" + c.ID + "?hard=1", http.StatusNotFound}, // already soft-deleted
	} {
		if st := adminCall(t, srv, "DELETE", step.path, nil, nil); st != step.want {
			t.Errorf("DELETE %s: %d, want %d", step.path, st, step.want)
		}
	}
	if st := adminCall(t, srv, "DELETE", "/vacancies/"+v.ID+"?hard=true", nil, nil); st != http.StatusOK {
		t.Errorf("hard delete: %d", st)
	}
	if _, err := srv.Vacancy(v.ID); err == nil {
		t.Error("vacancy still exists after hard delete")
	}
	if st := adminCall(t, srv, "POST", "/candidates", map[string]any{"status": "nope"}, nil); st != http.StatusBadRequest {
		t.Errorf("unknown status: %d", st)
	}
	if st := adminCall(t, srv, "POST", "/candidates", map[string]any{"unknownField": 1}, nil); st != http.StatusBadRequest {
		t.Errorf("unknown field: %d", st)
	}
	if st := adminCall(t, srv, "GET", "/candidates/999", nil, nil); st != http.StatusNotFound {
		t.Errorf("missing candidate: %d", st)
	}
}

func TestAdminToken(t *testing.T) {
	srv := start(t, func(o *carerixemu.Options) { o.AdminToken = "letmein" })
	if st := adminCall(t, srv, "GET", "/counts", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("without token: %d", st)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/_emulator/counts", nil)
	req.Header.Set("Authorization", "Bearer letmein")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("with token: %d", resp.StatusCode)
	}
}
