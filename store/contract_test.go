package store_test

import (
	"context"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestContractStore(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, a, b := twoTenants(t, backend)

			_, err := db.CarerixContract(ctx, a.ID)
			wantCode(t, err, recrubo.ENOTFOUND)

			read := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
			must(t, db.SaveCarerixContract(ctx, &recrubo.CarerixContract{TenantID: a.ID, ReadAt: read, Body: []byte(`{"a":1}`)}))
			must(t, db.SetCarerixContractProblem(ctx, a.ID, "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)", read.Add(time.Minute)))
			got, err := db.CarerixContract(ctx, a.ID)
			must(t, err)
			if string(got.Body) != `{"a":1}` || !got.ReadAt.Equal(read) || got.Problem == "" || !got.ProblemAt.Equal(read.Add(time.Minute)) {
				t.Errorf("contract read back = %+v", got)
			}
			// Another tenant's contract is its own.
			_, err = db.CarerixContract(ctx, b.ID)
			wantCode(t, err, recrubo.ENOTFOUND)

			// A new read replaces body and problem; clearing keeps the body.
			must(t, db.SaveCarerixContract(ctx, &recrubo.CarerixContract{TenantID: a.ID, ReadAt: read.Add(time.Hour), Body: []byte(`{"a":2}`)}))
			got, err = db.CarerixContract(ctx, a.ID)
			must(t, err)
			if string(got.Body) != `{"a":2}` || got.Problem != "" {
				t.Errorf("after a new read: %+v", got)
			}
			must(t, db.SetCarerixContractProblem(ctx, a.ID, "x", read))
			must(t, db.SetCarerixContractProblem(ctx, a.ID, "", read))
			got, err = db.CarerixContract(ctx, a.ID)
			must(t, err)
			if got.Problem != "" || !got.ProblemAt.IsZero() || string(got.Body) != `{"a":2}` {
				t.Errorf("after clearing the problem: %+v", got)
			}
			// A problem before any read is kept without a body.
			must(t, db.SetCarerixContractProblem(ctx, b.ID, "refused", read))
			got, err = db.CarerixContract(ctx, b.ID)
			must(t, err)
			if got.Problem != "refused" || len(got.Body) != 0 {
				t.Errorf("problem before a read: %+v", got)
			}
			// Bad input changes nothing.
			wantCode(t, db.SaveCarerixContract(ctx, &recrubo.CarerixContract{TenantID: a.ID}), recrubo.EINVALID)
			// Removing the tenant removes its contract.
			must(t, db.DeleteTenant(ctx, a.ID))
			_, err = db.CarerixContract(ctx, a.ID)
			wantCode(t, err, recrubo.ENOTFOUND)
		})
	}
}
