package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/verify"
)

const publicURL = "https://recrubo.example"

// linkFixture is two tenants in a real store and a link issuer on a
// clock the test moves.
type linkFixture struct {
	db         *store.DB
	clock      *storetest.Clock
	links      *verify.Links
	acme, beta *recrubo.Tenant
}

func newLinkFixture(t *testing.T, backend string) *linkFixture {
	t.Helper()
	db := storetest.NewEnv(t, backend).Open(t)
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	return &linkFixture{
		db: db, clock: clock,
		links: &verify.Links{Store: db, PublicURL: publicURL + "/", Now: clock.Now},
		acme:  createTenant(t, db, "acme", "acme-signing-key-0123456789abcdef"),
		beta:  createTenant(t, db, "beta", "beta-signing-key-0123456789abcdef"),
	}
}

func createTenant(t *testing.T, db *store.DB, slug, signingKey string) *recrubo.Tenant {
	t.Helper()
	tn := &recrubo.Tenant{
		Slug: slug, DisplayName: slug + " Uitzendbureau", FrameOrigins: []string{"https://" + slug + ".carerix.net"},
		Carerix: recrubo.CarerixSettings{
			APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id-s3.carerix.io", Realm: slug, Application: slug,
			ClientID: "reader", ClientSecret: recrubo.NewSecret("reader-secret"),
		},
		Admin:    recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("admin-secret")},
		Language: recrubo.LangDutch, TimeZone: recrubo.DefaultTimeZone,
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:   recrubo.EmbedSettings{SigningKey: recrubo.NewSecret(signingKey)},
	}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		t.Fatalf("creating tenant %s: %v", slug, err)
	}
	return tn
}

// issue issues a token for tn and fails the test on error.
func (f *linkFixture) issue(t *testing.T, tn *recrubo.Tenant) string {
	t.Helper()
	tok, err := f.links.IssueToken(t.Context(), tn)
	if err != nil {
		t.Fatalf("issuing a link for %s: %v", tn.Slug, err)
	}
	return tok
}

// accept checks that token opens tn.
func (f *linkFixture) accept(t *testing.T, token string, tn *recrubo.Tenant) {
	t.Helper()
	got, err := f.links.Check(t.Context(), token)
	if err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	if got.ID != tn.ID {
		t.Fatalf("token opened tenant %s, want %s", got.Slug, tn.Slug)
	}
}

// refuse checks that token is refused with the one answer that says
// nothing about why.
func (f *linkFixture) refuse(t *testing.T, token string) {
	t.Helper()
	got, err := f.links.Check(t.Context(), token)
	if err == nil {
		t.Fatalf("token accepted for tenant %s", got.Slug)
	}
	want := recrubo.Errorf(recrubo.EFORBIDDEN, "Forbidden.")
	if recrubo.ErrorCode(err) != recrubo.EFORBIDDEN || err.Error() != want.Error() || errors.Unwrap(err) != nil {
		t.Fatalf("refusal = %q (%s, cause %v), want exactly %q", err, recrubo.ErrorCode(err), errors.Unwrap(err), want)
	}
}

// split returns the decoded payload fields and the signature of token.
func split(t *testing.T, token string) (fields []string, payload, sig string) {
	t.Helper()
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		t.Fatalf("token %q has no signature", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return strings.Split(string(raw), "|"), payload, sig
}

// flipFirst changes the first character of s to another base64 one.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func join(fields []string, sig string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "|"))) + "." + sig
}

func TestLinks(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			for name, fn := range map[string]func(*testing.T, string){
				"ValidLinkOpensItsTenant":       testValid,
				"ExpiredLinkRefused":            testExpired,
				"TamperedPayloadRefused":        testTamperedPayload,
				"TamperedSignatureRefused":      testTamperedSignature,
				"AnotherTenantsTokenRefused":    testAnotherTenant,
				"NewLinkRevokesThePrevious":     testRevoked,
				"MalformedTokensRefused":        testMalformed,
				"RemovedTenantsLinkRefused":     testRemovedTenant,
				"RotatedSigningKeyRevokesLinks": testRotatedKey,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, backend)
				})
			}
		})
	}
}

func testValid(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	u, err := f.links.Issue(t.Context(), f.acme)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(u, publicURL+"/verify/")
	if !ok || strings.ContainsAny(token, "/?#") {
		t.Fatalf("link %q is not %s/verify/<token>", u, publicURL)
	}
	f.accept(t, token, f.acme)
	f.accept(t, token, f.acme) // checking does not use the link up
	cur, err := f.db.CurrentVerifyLink(t.Context(), f.acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cur.IssuedAt.Equal(f.clock.Now()) || !cur.ExpiresAt.Equal(f.clock.Now().Add(verify.LinkTTL)) {
		t.Errorf("stored link issued %s, expires %s; want now and now+%s", cur.IssuedAt, cur.ExpiresAt, verify.LinkTTL)
	}
}

func testExpired(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	f.clock.Advance(verify.LinkTTL - time.Second)
	f.accept(t, token, f.acme)
	f.clock.Advance(time.Second)
	f.refuse(t, token)
	f.clock.Advance(30 * 24 * time.Hour)
	f.refuse(t, token)

	short := &verify.Links{Store: f.db, PublicURL: publicURL, TTL: time.Hour, Now: f.clock.Now}
	tok, err := short.IssueToken(t.Context(), f.beta)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(59 * time.Minute)
	if _, err := short.Check(t.Context(), tok); err != nil {
		t.Fatalf("link within its own TTL refused: %v", err)
	}
	f.clock.Advance(time.Minute)
	if _, err := short.Check(t.Context(), tok); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Fatalf("link past its own TTL: %v", err)
	}
}

func testTamperedPayload(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	fields, _, sig := split(t, token)
	if len(fields) != 3 || fields[0] != f.acme.ID {
		t.Fatalf("payload fields %q", fields)
	}
	later := append([]string(nil), fields...)
	later[2] = "99999999999" // extend the expiry
	f.refuse(t, join(later, sig))
	other := append([]string(nil), fields...)
	other[1] = strings.Repeat("0", len(fields[1])) // another link id
	f.refuse(t, join(other, sig))
	extra := append(append([]string(nil), fields...), "x")
	f.refuse(t, join(extra, sig))
	f.refuse(t, flipFirst(token)) // one character of the encoded payload
	f.accept(t, token, f.acme)
}

func testTamperedSignature(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	_, payload, sig := split(t, token)
	f.refuse(t, payload+"."+flipFirst(sig))
	f.refuse(t, payload+"."+sig[:len(sig)-1])
	f.refuse(t, payload+"."+sig+"A")
	f.refuse(t, payload+".")
	f.refuse(t, payload)
	f.accept(t, token, f.acme)
}

func testAnotherTenant(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	acmeTok := f.issue(t, f.acme)
	betaTok := f.issue(t, f.beta)
	f.accept(t, betaTok, f.beta)
	// beta's token relabelled as acme's: signed with beta's key, so refused.
	fields, _, sig := split(t, betaTok)
	fields[0] = f.acme.ID
	f.refuse(t, join(fields, sig))
	// acme's signature on beta's payload.
	_, betaPayload, _ := split(t, betaTok)
	_, _, acmeSig := split(t, acmeTok)
	f.refuse(t, betaPayload+"."+acmeSig)
	// beta's current link id under acme's tenant id and acme's signature.
	acmeFields, _, _ := split(t, acmeTok)
	acmeFields[1] = fields[1]
	f.refuse(t, join(acmeFields, acmeSig))
	// A new link for acme leaves beta's link alone.
	f.issue(t, f.acme)
	f.accept(t, betaTok, f.beta)
}

func testRevoked(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	first := f.issue(t, f.acme)
	f.clock.Advance(time.Minute)
	second := f.issue(t, f.acme)
	if first == second {
		t.Fatal("two issues gave the same token")
	}
	f.refuse(t, first)
	f.accept(t, second, f.acme)
	third, err := f.links.Issue(t.Context(), f.acme)
	if err != nil {
		t.Fatal(err)
	}
	f.refuse(t, second)
	f.accept(t, strings.TrimPrefix(third, publicURL+"/verify/"), f.acme)
}

func testMalformed(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	fields, _, sig := split(t, token)
	for _, bad := range []string{
		"", ".", "..", "abc", "abc.def", "!!!.sig",
		join([]string{f.acme.ID, fields[1]}, sig),
		join([]string{f.acme.ID, fields[1], "soon"}, sig),
		join([]string{"no-such-tenant", fields[1], fields[2]}, sig),
		// Bytes the database itself refuses must not get that far.
		join([]string{"\x00" + f.acme.ID[1:], fields[1], fields[2]}, sig),
		join([]string{"\xff\xfe" + f.acme.ID, fields[1], fields[2]}, sig),
		join([]string{f.acme.ID, "\x00" + fields[1][1:], fields[2]}, sig),
		join([]string{f.acme.ID, fields[1] + "\xff", fields[2]}, sig),
		token + strings.Repeat("A", 600),
		strings.Repeat("A", 2000) + "." + sig,
	} {
		f.refuse(t, bad)
	}
}

func testRemovedTenant(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	if err := f.db.DeleteTenant(t.Context(), f.acme.ID); err != nil {
		t.Fatal(err)
	}
	f.refuse(t, token)
}

func testRotatedKey(t *testing.T, backend string) {
	f := newLinkFixture(t, backend)
	token := f.issue(t, f.acme)
	cur, err := f.db.TenantByID(t.Context(), f.acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.Embed.SigningKey = recrubo.NewSecret("acme-rotated-key-0123456789abcdef")
	if err := f.db.UpdateTenant(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
	f.refuse(t, token)
}

// TestLinkSigner: a link Recrubo issued names its tenant after it expired
// or was replaced (its page speaks the tenant's language); a truncated,
// tampered or relabelled one names none.
func TestLinkSigner(t *testing.T) {
	f := newLinkFixture(t, storetest.SQLite)
	old := f.issue(t, f.acme)
	cur := f.issue(t, f.acme) // replaces old
	if got := f.links.Signer(t.Context(), old); got == nil || got.ID != f.acme.ID {
		t.Errorf("signer of a replaced link = %v, want acme", got)
	}
	f.clock.Advance(verify.LinkTTL + time.Hour)
	f.refuse(t, cur)
	if got := f.links.Signer(t.Context(), cur); got == nil || got.ID != f.acme.ID {
		t.Errorf("signer of an expired link = %v, want acme", got)
	}
	fields, payload, sig := split(t, cur)
	fields[0] = f.beta.ID
	for name, tok := range map[string]string{"truncated": cur[:len(cur)-5], "no signature": payload,
		"tampered": payload + "." + flipFirst(sig), "relabelled": join(fields, sig), "garbage": "not-a-token"} {
		if got := f.links.Signer(t.Context(), tok); got != nil {
			t.Errorf("%s link: signer %s, want none", name, got.Slug)
		}
	}
}
