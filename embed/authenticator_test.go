package embed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestAuthenticator checks proofs against a real mirror and the Carerix
// emulator: the mirror decides when it agrees, Carerix when it does not,
// and an unreachable Carerix is an outage, not a refusal.
func TestAuthenticator(t *testing.T) {
	ctx := context.Background()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	u, err := emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva"), FirstName: carerixemu.Str("Eva")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne")})
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			db := storetest.NewEnv(t, backend).Open(t)
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
			if _, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: e.ID, FirstName: "Sanne", StableHash: e.StableHash, ModifiedAt: e.ModificationDate}); err != nil {
				t.Fatal(err)
			}
			proof := recrubo.EmbedProof{TenantSlug: "acme", Kind: recrubo.EmbedCandidate, RecordID: e.ID, RecordHash: e.StableHash,
				UserID: u.ID, UserHash: u.StableHash, Lang: "en_US"}

			a, err := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{}})
			if err != nil {
				t.Fatal(err)
			}
			v, byMirror, err := a.AuthenticateShared(ctx, proof)
			if err != nil {
				t.Fatal(err)
			}
			if byMirror || !a.MayHaveNewer(tn.ID) {
				t.Errorf("a proof Carerix confirmed: settled by the mirror %v, Carerix's hash noted %v", byMirror, a.MayHaveNewer(tn.ID))
			}
			// The user is not synced: known by id, confirmed by Carerix.
			if v.Tenant.ID != tn.ID || v.User.ID != u.ID || v.RecordID != e.ID || v.Lang != "en" {
				t.Errorf("viewer = %+v", v)
			}

			// Without Carerix, only what the mirror holds is confirmed.
			mirrorOnly, _ := embed.New(embed.Config{Mirror: db})
			if _, err := mirrorOnly.Authenticate(ctx, proof); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
				t.Errorf("unsynced user without Carerix: %v, want EFORBIDDEN", err)
			}

			// Through the store's cache, a caller that only reads may
			// share the cached tenant and user; Authenticate's are the
			// caller's own.
			if _, err := db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: u.ID, UserName: "eva", Active: true,
				StableHash: u.StableHash, ModifiedAt: u.ModificationDate}); err != nil {
				t.Fatal(err)
			}
			cached, err := store.NewCached(db, store.CacheConfig{TTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			defer cached.Close()
			ca, err := embed.New(embed.Config{Mirror: cached, Fetcher: &embed.CarerixFetcher{}})
			if err != nil {
				t.Fatal(err)
			}
			s1, byMirror, err1 := ca.AuthenticateShared(ctx, proof)
			s2, _, err2 := ca.AuthenticateShared(ctx, proof)
			o1, err3 := ca.Authenticate(ctx, proof)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			if !byMirror {
				t.Error("AuthenticateShared: a proof the mirror holds was not settled by the mirror")
			}
			if s1.Tenant != s2.Tenant || s1.Tenant.ID != tn.ID {
				t.Error("AuthenticateShared did not hand out the cache's tenant")
			}
			if o1.Tenant == s1.Tenant || o1.Tenant.ID != tn.ID {
				t.Error("Authenticate handed out the cache's tenant")
			}
			if s1.User != s2.User || s1.User.ID != u.ID {
				t.Error("AuthenticateShared did not hand out the cache's recruiter")
			}
			if o1.User == s1.User || o1.User.ID != u.ID {
				t.Error("Authenticate handed out the cache's recruiter")
			}

			// The user's half of a record's URL does not open a tenant-wide
			// page; with the key its own template writes, it does.
			dash := proof
			dash.Kind, dash.RecordID, dash.RecordHash = recrubo.EmbedDashboard, "", ""
			if _, err := a.Authenticate(ctx, dash); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
				t.Errorf("dashboard with a record URL's user proof: %v, want EFORBIDDEN", err)
			}
			if dash.PageKey, err = embed.PageKey(tn); err != nil {
				t.Fatal(err)
			}
			if v, err := a.Authenticate(ctx, dash); err != nil || v.Proof != recrubo.ProvedByPageKey {
				t.Errorf("dashboard proof with its page key: %+v, %v", v, err)
			}

			// Carerix unreachable: an outage (503), not a forged URL.
			down := *tn
			down.ID, down.Slug = "", "down"
			down.Carerix.APIBaseURL, down.Carerix.IdentityBaseURL = "http://127.0.0.1:1", "http://127.0.0.1:1"
			if err := db.CreateTenant(ctx, &down); err != nil {
				t.Fatal(err)
			}
			p2 := proof
			p2.TenantSlug = "down"
			ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			outage, _ := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{}})
			if _, err := outage.Authenticate(ctx2, p2); recrubo.ErrorCode(err) == recrubo.EFORBIDDEN || err == nil {
				t.Errorf("Carerix down: %v, want an outage error", err)
			}
		})
	}
}
