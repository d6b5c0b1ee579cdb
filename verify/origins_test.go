package verify_test

import (
	"testing"

	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/verify"
)

// TestOriginsItem runs the whole checklist on a provisioned tenant whose
// frame origin is where Carerix shows its application, then on the same
// tenant saved with a near miss (carerix.com for carerix.net): the origins
// item fails, naming the address Carerix uses, and the tenant is not
// marked verified.
func TestOriginsItem(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newHookFixture(t, backend)
			if it := item(t, f.check(t, 0, nil), verify.CheckOrigins); !it.OK || it.Reason != "ok" {
				t.Fatalf("origins item = %+v, want ok for %v", it, f.tenant.FrameOrigins)
			}
			f.tenant.FrameOrigins = []string{"https://acme.carerix.com"}
			if err := f.db.UpdateTenant(t.Context(), f.tenant); err != nil {
				t.Fatal(err)
			}
			res := f.check(t, 0, nil)
			it := item(t, res, verify.CheckOrigins)
			if it.OK || it.Reason != "application" || len(it.Args) != 2 || it.Args[0] != "https://acme.carerix.net" {
				t.Errorf("origins item = %+v, want application naming https://acme.carerix.net", it)
			}
			if res.OK() || res.Verified {
				t.Errorf("checklist with a wrong origin passed: %+v", res)
			}
		})
	}
}
