package carerixemu_test

import (
	"strconv"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

type pageMeta struct {
	TotalElements    int    `json:"totalElements"`
	TotalPages       int    `json:"totalPages"`
	Page             int    `json:"page"`
	Size             int    `json:"size"`
	First            bool   `json:"first"`
	Last             bool   `json:"last"`
	NumberOfElements int    `json:"numberOfElements"`
	Sort             string `json:"sort"`
}

type employeePage struct {
	pageMeta
	Items []struct {
		ID         string `json:"_id"`
		EmployeeID int    `json:"employeeID"`
		Deleted    bool   `json:"deleted"`
	} `json:"items"`
}

const pageQuery = `query ($q: String, $p: Int, $s: Int, $all: Boolean) {
  crEmployeePage(qualifier: $q, pageable: {page: $p, size: $s}, norestrict: $all) {
    totalElements totalPages page size first last numberOfElements sort
    items { _id employeeID deleted }
  }
}`

func fetchPage(t *testing.T, srv *carerixemu.Server, tok string, vars map[string]any) employeePage {
	t.Helper()
	var out struct{ CrEmployeePage employeePage }
	mustData(t, gql(t, srv, tok, pageQuery, vars), &out)
	return out.CrEmployeePage
}

func liveAndAll(srv *carerixemu.Server) (live, all int) {
	for _, e := range srv.Employees() {
		all++
		if !e.Deleted {
			live++
		}
	}
	return live, all
}

func TestPageWalkVisitsEveryRecordOnce(t *testing.T) {
	srv := start(t)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 237, Recruiters: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	live, all := liveAndAll(srv)
	if live == all {
		t.Fatal("seed produced no soft-deleted candidates; norestrict would be untested")
	}
	tok := token(t, srv)
	for _, norestrict := range []bool{false, true} {
		want := live
		if norestrict {
			want = all
		}
		seen := map[string]int{}
		last := 0
		const size = 50
		wantPages := (want + size - 1) / size
		for p := 0; ; p++ {
			pg := fetchPage(t, srv, tok, map[string]any{"p": p, "s": size, "all": norestrict})
			if pg.TotalElements != want || pg.TotalPages != wantPages || pg.Page != p || pg.Size != size {
				t.Fatalf("norestrict=%v page %d meta = %+v, want total %d pages %d", norestrict, p, pg.pageMeta, want, wantPages)
			}
			if pg.First != (p == 0) || pg.Last != (p == wantPages-1) || pg.NumberOfElements != len(pg.Items) {
				t.Fatalf("page %d flags = %+v", p, pg.pageMeta)
			}
			if pg.Sort != "employeeID: ASC" {
				t.Errorf("sort = %q", pg.Sort)
			}
			for _, it := range pg.Items {
				seen[it.ID]++
				if it.EmployeeID <= last {
					t.Fatalf("order broken: %d after %d", it.EmployeeID, last)
				}
				last = it.EmployeeID
				if it.Deleted && !norestrict {
					t.Fatalf("deleted candidate %s without norestrict", it.ID)
				}
				if it.ID != strconv.Itoa(it.EmployeeID) {
					t.Errorf("_id %q != employeeID %d", it.ID, it.EmployeeID)
				}
			}
			if pg.Last {
				break
			}
		}
		if len(seen) != want {
			t.Errorf("norestrict=%v: walked %d distinct ids, want %d", norestrict, len(seen), want)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("id %s seen %d times", id, n)
			}
		}
	}
	st := srv.Stats().Operations["crEmployeePage"]
	for p, n := range st.Pages {
		if n != 2 { // once per norestrict value
			t.Errorf("page %d served %d times, want 2", p, n)
		}
	}
}

func TestPageableDefaultsAndLimits(t *testing.T) {
	srv := start(t)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 130, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, srv)
	var def struct{ CrEmployeePage employeePage }
	mustData(t, gql(t, srv, tok, `{ crEmployeePage { page size numberOfElements items { _id } } }`, nil), &def)
	if def.CrEmployeePage.Size != 20 || def.CrEmployeePage.Page != 0 || len(def.CrEmployeePage.Items) != 20 {
		t.Errorf("defaults = %+v, want page 0 size 20", def.CrEmployeePage.pageMeta)
	}
	if pg := fetchPage(t, srv, tok, map[string]any{"p": 0, "s": 500, "all": true}); pg.Size != 100 || len(pg.Items) != 100 || pg.TotalPages != 2 {
		t.Errorf("size 500 = %+v, want clamped to 100", pg.pageMeta)
	}
	if pg := fetchPage(t, srv, tok, map[string]any{"p": 99, "s": 10}); len(pg.Items) != 0 || !pg.Last || pg.First {
		t.Errorf("page past the end = %+v, want empty last page", pg.pageMeta)
	}
	for _, vars := range []map[string]any{{"p": -1, "s": 10}, {"p": 0, "s": 0}} {
		if r := gql(t, srv, tok, pageQuery, vars); r.code() != carerixemu.CodeBadRequest {
			t.Errorf("%v: %s, want BAD_REQUEST", vars, r.Body)
		}
	}
}

func TestEmptyResultPage(t *testing.T) {
	srv := start(t)
	pg := fetchPage(t, srv, token(t, srv), map[string]any{"p": 0, "s": 10})
	if pg.TotalElements != 0 || pg.TotalPages != 0 || !pg.First || !pg.Last || len(pg.Items) != 0 {
		t.Errorf("empty page = %+v", pg.pageMeta)
	}
}
