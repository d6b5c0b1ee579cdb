package embed_test

import (
	"context"
	"fmt"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestForgedProofsCostABoundedNumberOfCarerixCalls: forged proofs name
// real records and users with made-up hashes, so the mirror cannot
// confirm them and only Carerix could. Each distinct (record, hash) is
// asked once a minute at most, and look-ups are limited per client
// address and per tenant; the calls are counted at the emulator.
func TestForgedProofsCostABoundedNumberOfCarerixCalls(t *testing.T) {
	ctx := context.Background()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	u, err := emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne")})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:    recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789")},
		Language: "nl", TimeZone: "Europe/Amsterdam"}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	const perClient, perTenant = 10, 40
	fast := func(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 1000, 100 }
	a, err := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{Configure: fast}, ClientLookups: perClient, TenantLookups: perTenant})
	if err != nil {
		t.Fatal(err)
	}
	forged := func(i int, client string) recrubo.EmbedProof {
		return recrubo.EmbedProof{TenantSlug: "acme", Kind: recrubo.EmbedCandidate, RecordID: e.ID, RecordHash: fmt.Sprintf("forged-%d", i),
			UserID: u.ID, UserHash: "forged", Client: client}
	}
	calls := func() int { return emu.Stats().GraphQLRequests }
	// Warm the client's contract, so only look-ups are counted.
	if _, err := a.Authenticate(ctx, forged(-1, "warm")); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Fatalf("a forged proof: %v", err)
	}
	emu.ResetStats()

	// The same forged proof again and again: asked once.
	for range 200 {
		if _, err := a.Authenticate(ctx, forged(0, "10.0.0.1")); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
			t.Fatalf("a repeated forged proof: %v", err)
		}
	}
	if n := calls(); n != 1 {
		t.Errorf("200 copies of one forged proof cost %d Carerix calls, want 1", n)
	}
	// 1,000 different forged proofs from one address: at most that
	// address's limit, then 429s.
	emu.ResetStats()
	limited := 0
	for i := range 1000 {
		_, err := a.Authenticate(ctx, forged(1000+i, "10.0.0.2"))
		switch recrubo.ErrorCode(err) {
		case recrubo.ERATELIMITED:
			limited++
		case recrubo.EFORBIDDEN:
		default:
			t.Fatalf("forged proof %d: %v", i, err)
		}
	}
	if n := calls(); n > perClient {
		t.Errorf("1,000 forged proofs from one address cost %d Carerix calls, want at most %d", n, perClient)
	}
	if limited < 1000-perClient {
		t.Errorf("%d of 1,000 forged proofs were rate limited, want at least %d", limited, 1000-perClient)
	}
	// 1,000 from as many addresses: at most the tenant's limit in all.
	emu.ResetStats()
	for i := range 1000 {
		_, _ = a.Authenticate(ctx, forged(5000+i, fmt.Sprintf("10.1.%d.%d", i/250, i%250)))
	}
	if n := calls(); n > perTenant {
		t.Errorf("1,000 forged proofs from 1,000 addresses cost %d Carerix calls, want at most %d", n, perTenant)
	}
	// An unknown tenant costs no call at all.
	emu.ResetStats()
	p := forged(1, "10.0.0.3")
	p.TenantSlug = "nobody"
	if _, err := a.Authenticate(ctx, p); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN || calls() != 0 {
		t.Errorf("unknown tenant: %v after %d calls", err, calls())
	}
}

// TestInactiveRecruitersAreRefused: a recruiter sync marked inactive is
// refused from the mirror, and one Carerix reports inactive is refused
// too, though their URL carries their current hash.
func TestInactiveRecruitersAreRefused(t *testing.T) {
	ctx := context.Background()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	e, err := emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne")})
	if err != nil {
		t.Fatal(err)
	}
	active, inactive := true, false
	mirrored, err := emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva"), IsActive: &active})
	if err != nil {
		t.Fatal(err)
	}
	unsynced, err := emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("jan"), IsActive: &inactive})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:    recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789")},
		Language: "nl", TimeZone: "Europe/Amsterdam"}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: e.ID, StableHash: e.StableHash, ModifiedAt: e.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	// Sync saw Eva deactivated.
	if _, err := db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: mirrored.ID, StableHash: mirrored.StableHash,
		Active: false, ModifiedAt: mirrored.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	a, err := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []carerixemu.User{mirrored, unsynced} {
		_, err := a.Authenticate(ctx, recrubo.EmbedProof{TenantSlug: "acme", Kind: recrubo.EmbedCandidate, RecordID: e.ID,
			RecordHash: e.StableHash, UserID: u.ID, UserHash: u.StableHash})
		if recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
			t.Errorf("inactive user %s: %v, want EFORBIDDEN", u.UserName, err)
		}
	}
}
