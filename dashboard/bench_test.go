package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// BenchmarkCompute computes the 30-day figures of a tenant with 2,000
// conversations of 10 messages each, half of them read, on SQLite.
func BenchmarkCompute(b *testing.B) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	db := storetest.NewEnv(b, storetest.SQLite).Open(b)
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id.carerix.io", Realm: "acme",
			Application: "acme", ClientID: "c", ClientSecret: recrubo.NewSecret("s")},
		Admin: recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")}, Language: "nl", TimeZone: "Europe/Amsterdam"}
	ctx := context.Background()
	if err := db.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	const convs, per = 2000, 10
	err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		for i := range convs {
			c := &recrubo.Conversation{TenantID: tn.ID, Channel: recrubo.ChannelWhatsApp, Phone: fmt.Sprintf("+3161%07d", i),
				AssigneeID: fmt.Sprintf("u%d", i%5)}
			if err := tx.SaveConversation(ctx, c); err != nil {
				return err
			}
			for j := range per {
				dir, st := recrubo.Outbound, recrubo.StatusDelivered
				if j%2 == 1 {
					dir, st = recrubo.Inbound, recrubo.StatusReceived
				}
				at := now.Add(-time.Duration(i%40*24+j) * time.Hour)
				if _, err := tx.AddMessage(ctx, &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: dir, Status: st,
					CreatedAt: at, SendAttempt: 1, ProviderID: fmt.Sprintf("wamid.%d.%d", i, j)}); err != nil {
					return err
				}
			}
			if i%2 == 0 {
				if err := tx.MarkRead(ctx, tn.ID, c.ID, c.AssigneeID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 30, Now: now, ViewerID: "u1"}); err != nil {
			b.Fatal(err)
		}
	}
}
