package carerix_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func mustInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

func TestDiscoverReadsTheDocumentedSchema(t *testing.T) {
	srv := startEmulator(t, nil)
	var stored atomic.Pointer[carerix.Contract]
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.Contract = nil
		cfg.OnContract = func(_ context.Context, k *carerix.Contract) error { stored.Store(k); return nil }
	})
	seedEmployees(t, srv, 3, "")
	page, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	if err != nil {
		t.Fatalf("first call, which reads the contract: %v", err)
	}
	if len(page.Items) != 3 {
		t.Errorf("%d candidates, want 3", len(page.Items))
	}
	k := stored.Load()
	if k == nil {
		t.Fatal("the contract read on first use was not handed to OnContract")
	}
	if k.Method != carerix.MethodIntrospection || k.Err() != nil {
		t.Errorf("method %s, err %v", k.Method, k.Err())
	}
	for _, f := range [][2]string{{"CREmployee", "stableHash"}, {"CRStatusInfo", "label"}, {"CRToDo", "notes"}, {"CRToDo", "todoTypeKey"}} {
		if !k.Has(f[0], f[1]) {
			t.Errorf("%s.%s not resolved", f[0], f[1])
		}
	}
	if got := k.Field("CRStatusInfo", "label"); got != "displayName" {
		t.Errorf("stage label resolved to %q, want displayName (first of the names the docs schema has)", got)
	}
	if k.CanSort() || !k.Lacks(carerix.EffectSort) {
		t.Errorf("the documented pageable has no sort, yet CanSort = %v", k.CanSort())
	}
	if k.MaxPageSize != 100 {
		t.Errorf("measured page size %d, want the emulator's 100", k.MaxPageSize)
	}
	if !k.HasStableHash() {
		t.Error("HasStableHash = false on the documented schema")
	}
	// Later calls use the contract read once.
	if _, err := c.UserPage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := c.ContractReads(); got != 1 {
		t.Errorf("contract read %d times, want 1", got)
	}
}

func TestDiscoverRefusesBadCredentialsWithoutGuessing(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.Contract = nil
		cfg.ClientSecret = "wrong"
	})
	_, err := c.Discover(t.Context())
	if !errors.Is(err, carerix.ErrUnauthenticated) {
		t.Errorf("err = %v, want ErrUnauthenticated (not a probe of the schema)", err)
	}
}

// staleContract returns the documented contract with one field renamed to
// a name the tenant does not have, as if the schema changed after it was
// read.
func staleContract(t *testing.T, typ, logical, name string) *carerix.Contract {
	t.Helper()
	k, err := docsContract()
	if err != nil {
		t.Fatal(err)
	}
	b, err := carerix.MarshalContract(k)
	if err != nil {
		t.Fatal(err)
	}
	old := `"` + typ + "." + logical + `":"` + k.Field(typ, logical) + `"`
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s not in %s", old, b)
	}
	stale, err := carerix.UnmarshalContract([]byte(strings.Replace(string(b), old, `"`+typ+"."+logical+`":"`+name+`"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return stale
}

func TestSchemaChangeReadsTheContractAgainOnce(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 2, "")
	var stored atomic.Int32
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.Contract = staleContract(t, "CREmployee", "mobileNumber", "mobilePhone")
		cfg.OnContract = func(context.Context, *carerix.Contract) error { stored.Add(1); return nil }
	})
	page, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	if err != nil {
		t.Fatalf("a query Carerix rejected was not recovered by reading the contract again: %v", err)
	}
	if len(page.Items) != 2 || page.Items[0].MobileNumber == "" {
		t.Errorf("page after the new contract: %+v", page.Items)
	}
	if c.ContractReads() != 1 || stored.Load() != 1 {
		t.Errorf("contract read %d times and stored %d times, want once", c.ContractReads(), stored.Load())
	}
	k, err := c.Contract(t.Context())
	if err != nil || k.Field("CREmployee", "mobileNumber") != "mobileNumber" {
		t.Errorf("the client kept %q, %v", k.Field("CREmployee", "mobileNumber"), err)
	}
}

// discover reads the contract of an emulator started with modify.
func discover(t *testing.T, modify func(*carerixemu.Options)) (*carerix.Contract, *carerixemu.Server) {
	t.Helper()
	srv := startEmulator(t, modify)
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Contract = nil })
	k, err := c.Discover(t.Context())
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	return k, srv
}

func TestDiscoverObservedProfile(t *testing.T) {
	k, _ := discover(t, func(o *carerixemu.Options) { o.Profile = carerixemu.ProfileObserved })
	if err := k.Err(); err != nil {
		t.Fatalf("the observed profile should be workable: %v", err)
	}
	for _, f := range []struct{ typ, logical, want string }{
		{"CRStatusInfo", "label", "displayName"},
		{"CRToDo", "notes", "message"},
		{"CRToDo", "todoTypeKey", "toDoTypeKey"},
	} {
		if got := k.Field(f.typ, f.logical); got != f.want {
			t.Errorf("%s.%s resolved to %q, want %q", f.typ, f.logical, got, f.want)
		}
	}
	if k.HasStableHash() || !k.Lacks(carerix.EffectURLProof) {
		t.Error("observed has no stableHash, yet the contract offers the URL proof")
	}
	if !k.CanSort() || k.Sort.Form != "list" || !k.Sort.Enum || k.Sort.Asc != "ASC" {
		t.Errorf("sort = %+v, want a list of {property, direction: ASC}", k.Sort)
	}
	if k.MaxPageSize != 500 {
		t.Errorf("page size %d, want 500", k.MaxPageSize)
	}
}

func TestDiscoverHostileProfileNamesTheMissingField(t *testing.T) {
	k, _ := discover(t, func(o *carerixemu.Options) { o.Profile = carerixemu.ProfileHostile })
	err := k.Err()
	want := "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)"
	if err == nil || carerix.ContractProblem(err) != want {
		t.Errorf("err = %v, want exactly %q", err, want)
	}
}

func TestProbingFindsWhatIntrospectionFinds(t *testing.T) {
	for _, p := range []carerixemu.Profile{carerixemu.ProfileDocs, carerixemu.ProfileObserved, carerixemu.ProfileHostile} {
		t.Run(string(p), func(t *testing.T) {
			want, _ := discover(t, func(o *carerixemu.Options) { o.Profile = p })
			got, srv := discover(t, func(o *carerixemu.Options) { o.Profile = p; o.NoIntrospection = true })
			if got.Method != carerix.MethodProbe {
				t.Fatalf("method %s, want probe", got.Method)
			}
			for key, name := range want.Fields {
				if got.Fields[key] != name {
					t.Errorf("%s: probe %q, introspection %q", key, got.Fields[key], name)
				}
			}
			for key, name := range got.Fields {
				if want.Fields[key] != name {
					t.Errorf("%s: probe found %q, introspection has %q", key, name, want.Fields[key])
				}
			}
			for logical, name := range want.Ops {
				if got.Ops[logical] != name {
					t.Errorf("operation %s: probe %q, introspection %q", logical, got.Ops[logical], name)
				}
			}
			if (want.Err() == nil) != (got.Err() == nil) || want.CanSort() != got.CanSort() {
				t.Errorf("probe err %v sort %v; introspection err %v sort %v", got.Err(), got.CanSort(), want.Err(), want.CanSort())
			}
			if st := srv.Stats(); st.GraphQLRequests > 30 {
				t.Errorf("probing took %d requests", st.GraphQLRequests)
			}
			if p == carerixemu.ProfileHostile {
				return
			}
			// The contract probed works: a page of each kind reads.
			c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Contract = got })
			seedEmployees(t, srv, 3, "")
			if page, err := c.EmployeePage(t.Context(), carerix.PageRequest{SortBy: sortIf(got)}); err != nil || len(page.Items) != 3 {
				t.Errorf("reading with the probed contract: %v", err)
			}
		})
	}
}

// sortIf asks for key order where the contract can sort.
func sortIf(k *carerix.Contract) string {
	if k.CanSort() {
		return "employeeID"
	}
	return ""
}

func TestObservedProfileReadsEverything(t *testing.T) {
	srv := startEmulator(t, func(o *carerixemu.Options) { o.Profile = carerixemu.ProfileObserved })
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Contract = nil })
	ctx := t.Context()
	if _, err := srv.Seed(ctx, carerixemu.SeedOptions{Candidates: 40, Vacancies: 5, Matches: 30, Recruiters: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	var n int
	p := c.EmployeePager(carerix.PageRequest{Size: 500, SortBy: "employeeID"})
	last := 0
	for e, err := range p.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		id := mustInt(t, e.EmployeeID)
		if id <= last {
			t.Fatalf("employeeID %d after %d: the sort was not applied", id, last)
		}
		last = id
		if e.StableHash != "" {
			t.Errorf("a stableHash %q where the API has none", e.StableHash)
		}
		n++
	}
	if want := srv.Counts().Employees; n != want {
		t.Errorf("%d candidates, want the %d the emulator has (soft-deleted ones aside)", n, want)
	}
	matches, err := c.MatchPage(ctx, carerix.PageRequest{Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches.Items {
		if !strings.Contains(m.ID, ".") || m.Stage == nil || m.Stage.Label == "" {
			t.Errorf("match %+v (stage %+v): want a composite id and a labelled stage", m, m.Stage)
		}
		one, err := c.Match(ctx, m.ID)
		if err != nil || one.ID != m.ID {
			t.Errorf("Match(%q) = %v, %v", m.ID, one, err)
		}
	}
	subject, notes := "Gesprek", "Samenvatting"
	td, err := c.CreateToDo(ctx, carerix.ToDoFields{Subject: &subject, Notes: &notes})
	if err != nil {
		t.Fatalf("CreateToDo on observed: %v", err)
	}
	if td.Notes != notes {
		t.Errorf("activity text %q, want %q (written and read as message)", td.Notes, notes)
	}
}

func TestRequiredFieldRemovedLaterFailsWithItsName(t *testing.T) {
	// The contract was read while the schema had CREmployee.toStatusNode;
	// now the tenant's schema lacks it. The client reads the contract
	// again once and then reports the field, not a GraphQL message.
	srv := startEmulator(t, func(o *carerixemu.Options) { o.RemoveFields = []string{"CREmployee.toStatusNode"} })
	stored := 0
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.OnContract = func(context.Context, *carerix.Contract) error { stored++; return nil }
	})
	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	if !errors.Is(err, carerix.ErrContract) {
		t.Fatalf("err = %v, want ErrContract", err)
	}
	want := "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)"
	if got := carerix.ContractProblem(err); got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
	if c.ContractReads() != 1 || stored != 1 {
		t.Errorf("contract read %d and stored %d times, want once", c.ContractReads(), stored)
	}
	// A second call does not read the schema again at once.
	if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); !errors.Is(err, carerix.ErrContract) {
		t.Errorf("second call: %v", err)
	}
	if c.ContractReads() != 1 {
		t.Errorf("contract read %d times after two calls, want 1", c.ContractReads())
	}
	// Vacancies, which need nothing missing, still read.
	if _, err := c.VacancyPage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Errorf("vacancies with the new contract: %v", err)
	}
}

// TestDiscoverProbesReadsByIDs: discovery confirms that a qualifier may
// select several records by _id (joined by OR) before the product reads
// by id many to a request; a tenant refusing it is read one id at a time.
func TestDiscoverProbesReadsByIDs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(*carerixemu.Options)
		want   bool
		noID   bool // RefusesIDQualifier
		line   string
	}{
		{"docs", nil, true, false, "many to a request"},
		{"observed", func(o *carerixemu.Options) { o.Profile = carerixemu.ProfileObserved }, true, false, "many to a request"},
		{"probed schema", func(o *carerixemu.Options) { o.NoIntrospection = true }, true, false, "many to a request"},
		{"no OR in qualifiers", func(o *carerixemu.Options) { o.NoQualifierOr = true }, false, false, "a page query each"},
		{"no OR of _id in qualifiers", func(o *carerixemu.Options) { o.NoQualifierIDOr = true }, false, false, "a page query each"},
		{"no _id in qualifiers", func(o *carerixemu.Options) { o.NoQualifierID = true }, false, true, "through their own queries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, _ := discover(t, tc.modify)
			if err := k.Err(); err != nil {
				t.Fatal(err)
			}
			if got := k.ReadsByIDs(); got != tc.want {
				t.Errorf("ReadsByIDs = %v, want %v", got, tc.want)
			}
			if got := k.RefusesIDQualifier(); got != tc.noID {
				t.Errorf("RefusesIDQualifier = %v, want %v", got, tc.noID)
			}
			if lines := strings.Join(k.Summary(), "\n"); !strings.Contains(lines, "records are read by id") || !strings.Contains(lines, tc.line) {
				t.Errorf("the contract's description does not say how records are read by id (%q):\n%s", tc.line, lines)
			}
			stored, err := carerix.MarshalContract(k)
			if err != nil {
				t.Fatal(err)
			}
			back, err := carerix.UnmarshalContract(stored)
			if err != nil || back.ReadsByIDs() != tc.want || back.RefusesIDQualifier() != tc.noID {
				t.Errorf("stored and read back: ReadsByIDs = %v, RefusesIDQualifier = %v (%v), want %v, %v",
					back.ReadsByIDs(), back.RefusesIDQualifier(), err, tc.want, tc.noID)
			}
		})
	}
}
