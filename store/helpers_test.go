package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// behaviour is one entry of the store's behaviour table, run against every
// backend with a database of its own.
type behaviour struct {
	name string
	run  func(t *testing.T, e *storetest.Env)
	// only restricts the behaviour to one backend ("" = all).
	only string
}

// runBehaviours runs each behaviour on each backend, in parallel.
func runBehaviours(t *testing.T, bs []behaviour) {
	t.Helper()
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			for _, b := range bs {
				t.Run(b.name, func(t *testing.T) {
					if b.only != "" && b.only != backend {
						t.Skipf("%s only", b.only)
					}
					t.Parallel()
					b.run(t, storetest.NewEnv(t, backend))
				})
			}
		})
	}
}

// t0 is the tests' reference time: whole microseconds, UTC, as stored.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// withClock makes a store use c.
func withClock(c *storetest.Clock) func(*store.Config) {
	return func(cfg *store.Config) { cfg.Now = c.Now }
}

// newTenant returns a valid tenant with every field set, each secret
// distinct and recognisable (so a test can look for its plaintext).
func newTenant(slug string) *recrubo.Tenant {
	return &recrubo.Tenant{
		Slug:         slug,
		DisplayName:  "Display " + slug,
		FrameOrigins: []string{"https://" + slug + ".carerix.net", "https://" + slug + "2.carerix.net"},
		Carerix: recrubo.CarerixSettings{
			APIBaseURL:      "https://api.carerix.io",
			IdentityBaseURL: "https://id-s3.carerix.io",
			Realm:           slug,
			Application:     slug,
			ClientID:        "client-" + slug,
			ClientSecret:    recrubo.NewSecret("plain-carerix-secret-" + slug),
			Scopes:          []string{"urn:cx/graphql:data:read"},
			RateLimit:       4.5,
		},
		Admin: recrubo.AdminCredentials{
			ClientID:     "admin-" + slug,
			ClientSecret: recrubo.NewSecret("plain-admin-secret-" + slug),
			Scopes:       []string{"urn:cx/graphql:data:manage"},
		},
		Filters: recrubo.StatusFilters{
			CandidateStatuses: []string{"Actief", "Nieuw"},
			VacancyStatuses:   []string{"Open"},
		},
		Sync: recrubo.SyncSettings{ReconcileInterval: 20 * time.Minute},
		Webhook: recrubo.WebhookSettings{
			Secret:        recrubo.NewSecret("plain-webhook-secret-" + slug),
			ApplicationID: "app-" + slug,
			PublicKeyPEM:  "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",
		},
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("plain-embed-key-" + slug), Proof: recrubo.ProofMixed,
			SignInClientID: "recrubo-" + slug + ".apps.carerix.io", AdminRoles: []string{"Beheerder"}, ManagerRoles: []string{"Teamleider"}},
		WhatsApp: recrubo.WhatsAppSettings{
			APIBaseURL:        "https://graph.facebook.com",
			PhoneNumberID:     "1234567890",
			BusinessAccountID: "102290129340398",
			AccessToken:       recrubo.NewSecret("plain-wa-token-" + slug),
			AppSecret:         recrubo.NewSecret("plain-wa-app-secret-" + slug),
			VerifyToken:       recrubo.NewSecret("plain-wa-verify-" + slug),
			ConnectedAt:       at(-120),
		},
		Language: recrubo.LangEnglish,
		TimeZone: "Europe/Amsterdam", PhoneRegion: "BE",
		VerifiedAt: at(-60),
		VerifiedBy: "admin@" + slug + ".nl",
	}
}

// plainSecrets lists every secret of a tenant made by newTenant.
func plainSecrets(t *recrubo.Tenant) []string {
	return []string{
		t.Carerix.ClientSecret.Reveal(), t.Admin.ClientSecret.Reveal(), t.Webhook.Secret.Reveal(),
		t.Embed.SigningKey.Reveal(), t.WhatsApp.AccessToken.Reveal(), t.WhatsApp.AppSecret.Reveal(),
		t.WhatsApp.VerifyToken.Reveal(),
	}
}

// compareSecrets lets cmp compare secrets by value.
var compareSecrets = cmp.Comparer(func(a, b recrubo.Secret) bool { return a.Reveal() == b.Reveal() })

// diff compares store values: secrets by value, empty and nil slices alike.
func diff(want, got any) string {
	return cmp.Diff(want, got, compareSecrets, cmpopts.EquateEmpty())
}

// zeroFields lists the fields of v (a struct) left at their zero value,
// recursively.
func zeroFields(v reflect.Value, path string) []string {
	var out []string
	for i := range v.NumField() {
		f, ft := v.Field(i), v.Type().Field(i)
		name := path + "." + ft.Name
		switch {
		case !ft.IsExported():
			continue
		case f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]() && f.Type() != reflect.TypeFor[recrubo.Secret]():
			out = append(out, zeroFields(f, name)...)
		case f.IsZero():
			out = append(out, name)
		}
	}
	return out
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code recrubo.Code) {
	t.Helper()
	if got := recrubo.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// createTenant stores newTenant(slug) and returns it.
func createTenant(t testing.TB, s recrubo.TenantStore, slug string) *recrubo.Tenant {
	t.Helper()
	tn := newTenant(slug)
	must(t, s.CreateTenant(t.Context(), tn))
	return tn
}

// candidate returns a candidate of tenant modified at minute m.
func candidate(tenantID, id string, m int) *recrubo.Candidate {
	return &recrubo.Candidate{
		TenantID: tenantID, ID: id, FirstName: "Jan", LastNamePrefix: "van der", LastName: "Berg " + id,
		Email: id + "@example.nl", Phone: "06 1234 5678", Mobile: "+31 6 1234 5678", PhoneE164: "+31612345678",
		City: "Utrecht", StatusID: "101", StatusLabel: "Actief", OwnerID: "u1", StableHash: fmt.Sprintf("h%d", m),
		ModifiedAt: at(m), SyncedAt: at(m + 1),
	}
}

// changes subscribes to s and returns the channel changes arrive on.
func changes(t *testing.T, s recrubo.Store) <-chan recrubo.Change {
	ch := make(chan recrubo.Change, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s.Subscribe(ctx, func(c recrubo.Change) { ch <- c })
	return ch
}

// waitFor returns the first change that matches, failing t if none comes
// within a generous bound (the wait ends as soon as it arrives).
func waitFor(t *testing.T, ch <-chan recrubo.Change, match func(recrubo.Change) bool) recrubo.Change {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case c := <-ch:
			if match(c) {
				return c
			}
		case <-timeout:
			t.Fatal("no matching change arrived")
			return recrubo.Change{}
		}
	}
}

var errBoom = errors.New("boom")
