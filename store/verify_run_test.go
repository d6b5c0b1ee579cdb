package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestVerifyRuns: a claim starts a run unless one started within the gap
// (instances racing get one winner); the last finished result stays
// readable while a new run goes on; tenants are separate.
func TestVerifyRuns(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, a, b := twoTenants(t, backend)
			if _, err := db.LastVerifyRun(ctx, a.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Fatalf("never run: %v", err)
			}
			now := time.Now().Truncate(time.Microsecond)
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					ok, err := db.ClaimVerifyRun(ctx, a.ID, now, time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Fatalf("%d of 8 racing claims won, want 1", wins.Load())
			}
			must(t, db.FinishVerifyRun(ctx, &recrubo.VerifyRun{TenantID: a.ID, FinishedAt: now.Add(time.Second), By: "verify link", Result: []byte(`{"ok":1}`)}))
			if ok, err := db.ClaimVerifyRun(ctx, a.ID, now.Add(30*time.Second), time.Minute); ok || err != nil {
				t.Fatalf("a claim within the gap: %v %v", ok, err)
			}
			later := now.Add(2 * time.Minute)
			if ok, err := db.ClaimVerifyRun(ctx, a.ID, later, time.Minute); !ok || err != nil {
				t.Fatalf("a claim after the gap: %v %v", ok, err)
			}
			got, err := db.LastVerifyRun(ctx, a.ID)
			must(t, err)
			if !got.StartedAt.Equal(later) || !got.FinishedAt.Equal(now.Add(time.Second)) || got.By != "verify link" || string(got.Result) != `{"ok":1}` {
				t.Errorf("last run while a new one goes on: %+v", got)
			}
			if _, err := db.LastVerifyRun(ctx, b.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Errorf("the other tenant has a run: %v", err)
			}
			if err := db.FinishVerifyRun(ctx, &recrubo.VerifyRun{TenantID: b.ID, FinishedAt: now}); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Errorf("finishing a run never started: %v", err)
			}
			if _, err := db.ClaimVerifyRun(ctx, "nope", now, time.Minute); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Errorf("claim for an unknown tenant: %v", err)
			}
		})
	}
}
