package store_test

import (
	"context"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestProvisionStore(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, a, b := twoTenants(t, backend)

			// Items: upsert keeps CreatedAt, replaces the rest; tenants are separate.
			it := &recrubo.ProvisionedItem{TenantID: a.ID, Kind: recrubo.ProvisionTemplate, Key: "recrubo.inbox", RemoteID: "11", Hash: "h1"}
			must(t, db.SaveProvisionedItem(ctx, it))
			created := it.CreatedAt
			must(t, db.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{TenantID: a.ID, Kind: recrubo.ProvisionTemplate, Key: "recrubo.inbox", RemoteID: "12", Hash: "h2"}))
			must(t, db.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{TenantID: a.ID, Kind: recrubo.ProvisionWebhook, Key: "crmatch", RemoteID: "w1", ParentID: "app"}))
			must(t, db.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{TenantID: b.ID, Kind: recrubo.ProvisionTemplate, Key: "recrubo.inbox", RemoteID: "99"}))
			items, err := db.ProvisionedItems(ctx, a.ID)
			must(t, err)
			if len(items) != 2 || items[0].Kind != recrubo.ProvisionTemplate || items[0].RemoteID != "12" || items[0].Hash != "h2" ||
				!items[0].CreatedAt.Equal(created) || items[1].ParentID != "app" {
				t.Fatalf("items = %+v", items)
			}
			must(t, db.DeleteProvisionedItem(ctx, a.ID, recrubo.ProvisionTemplate, "recrubo.inbox"))
			must(t, db.DeleteProvisionedItem(ctx, a.ID, recrubo.ProvisionTemplate, "recrubo.inbox"))
			if items, _ := db.ProvisionedItems(ctx, a.ID); len(items) != 1 {
				t.Fatalf("after delete: %+v", items)
			}
			if items, _ := db.ProvisionedItems(ctx, b.ID); len(items) != 1 || items[0].RemoteID != "99" {
				t.Fatalf("other tenant's items changed: %+v", items)
			}
			if err := db.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{TenantID: a.ID, Kind: recrubo.ProvisionTemplate}); recrubo.ErrorCode(err) != recrubo.EINVALID {
				t.Errorf("incomplete item: %v", err)
			}
			if err := db.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{TenantID: "nope", Kind: recrubo.ProvisionTemplate, Key: "k", RemoteID: "1"}); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Errorf("unknown tenant: %v", err)
			}

			// Runs: the newest is returned; an update keeps the start time.
			if _, err := db.LatestProvisionRun(ctx, a.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Fatalf("no run yet: %v", err)
			}
			start := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
			run := &recrubo.ProvisionRun{TenantID: a.ID, Action: "provision", State: recrubo.ProvisionRunning, StartedAt: start}
			must(t, db.SaveProvisionRun(ctx, run))
			run.State, run.Summary, run.FinishedAt = recrubo.ProvisionFailed, "create template recrubo.inbox", start.Add(time.Second)
			run.Error = "boom"
			must(t, db.SaveProvisionRun(ctx, run))
			got, err := db.LatestProvisionRun(ctx, a.ID)
			must(t, err)
			if got.ID != run.ID || got.State != recrubo.ProvisionFailed || got.Error != "boom" || !got.StartedAt.Equal(start) {
				t.Fatalf("latest run = %+v", got)
			}
			later := &recrubo.ProvisionRun{TenantID: a.ID, Action: "unprovision", State: recrubo.ProvisionSucceeded, StartedAt: start.Add(time.Hour)}
			must(t, db.SaveProvisionRun(ctx, later))
			if got, _ := db.LatestProvisionRun(ctx, a.ID); got.ID != later.ID {
				t.Fatalf("latest run = %+v, want %s", got, later.ID)
			}
			stolen := *run
			stolen.TenantID = b.ID
			if err := db.SaveProvisionRun(ctx, &stolen); recrubo.ErrorCode(err) != recrubo.ECONFLICT {
				t.Errorf("another tenant's run id: %v", err)
			}

			// Verify links: one current link per tenant.
			if _, err := db.CurrentVerifyLink(ctx, a.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Fatalf("no link yet: %v", err)
			}
			exp := time.Now().Add(time.Hour).Truncate(time.Microsecond)
			must(t, db.SaveVerifyLink(ctx, &recrubo.VerifyLink{TenantID: a.ID, ID: "l1", ExpiresAt: exp}))
			must(t, db.SaveVerifyLink(ctx, &recrubo.VerifyLink{TenantID: a.ID, ID: "l2", ExpiresAt: exp}))
			l, err := db.CurrentVerifyLink(ctx, a.ID)
			must(t, err)
			if l.ID != "l2" || !l.ExpiresAt.Equal(exp) {
				t.Fatalf("current link = %+v", l)
			}
			if _, err := db.CurrentVerifyLink(ctx, b.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
				t.Errorf("other tenant sees a link: %v", err)
			}

			// LastEventAt.
			if at, err := db.LastEventAt(ctx, a.ID, recrubo.SourceCarerix); err != nil || !at.IsZero() {
				t.Fatalf("no events: %v %v", at, err)
			}
			when := time.Now().Truncate(time.Microsecond)
			_, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "e1", ReceivedAt: when.Add(-time.Hour)})
			must(t, err)
			_, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: a.ID, Source: recrubo.SourceCarerix, ID: "e2", ReceivedAt: when})
			must(t, err)
			_, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: b.ID, Source: recrubo.SourceCarerix, ID: "e3", ReceivedAt: when.Add(time.Hour)})
			must(t, err)
			if at, err := db.LastEventAt(ctx, a.ID, recrubo.SourceCarerix); err != nil || !at.Equal(when) {
				t.Fatalf("last event = %v %v, want %v", at, err, when)
			}
			if at, _ := db.LastEventAt(ctx, a.ID, recrubo.SourceWhatsApp); !at.IsZero() {
				t.Errorf("whatsapp last event = %v", at)
			}

			// Deleting the tenant removes everything.
			must(t, db.DeleteTenant(ctx, a.ID))
			if items, _ := db.ProvisionedItems(ctx, a.ID); len(items) != 0 {
				t.Errorf("items survive the tenant: %+v", items)
			}
		})
	}
}

// twoTenants opens a store on backend holding the tenants acme and bolt.
func twoTenants(t *testing.T, backend string) (*store.DB, *recrubo.Tenant, *recrubo.Tenant) {
	t.Helper()
	db := storetest.NewEnv(t, backend).Open(t)
	a, b := newTenant("acme"), newTenant("bolt")
	must(t, db.CreateTenant(context.Background(), a))
	must(t, db.CreateTenant(context.Background(), b))
	return db, a, b
}
