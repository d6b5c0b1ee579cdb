package carerix_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix"
)

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
