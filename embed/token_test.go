package embed_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
)

func testTenant(id, key string) *recrubo.Tenant {
	return &recrubo.Tenant{ID: id, Slug: id, Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret(key)}}
}

func TestTokenRoundTripAndBinding(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	acme := testTenant("t1", "acme-signing-key-0123456789")
	v := &recrubo.EmbedViewer{Tenant: acme, Kind: recrubo.EmbedCandidate, RecordID: "42", User: &recrubo.Recruiter{ID: "7"}, Lang: "nl"}
	tok, exp, err := embed.IssueToken(v, now)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(embed.TokenTTL)) {
		t.Errorf("expiry = %v", exp)
	}
	c, err := embed.VerifyToken(acme, tok, now.Add(embed.TokenTTL-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantID != "t1" || c.UserID() != "7" || c.Kind != recrubo.EmbedCandidate || c.RecordID != "42" || c.Lang != "nl" {
		t.Errorf("claims = %+v", c)
	}

	refuse := map[string]func() (*recrubo.Tenant, string, time.Time){
		"expired":      func() (*recrubo.Tenant, string, time.Time) { return acme, tok, now.Add(embed.TokenTTL + time.Second) },
		"before issue": func() (*recrubo.Tenant, string, time.Time) { return acme, tok, now.Add(-time.Hour) },
		"other tenant": func() (*recrubo.Tenant, string, time.Time) {
			return testTenant("t2", "acme-signing-key-0123456789"), tok, now
		},
		"other key": func() (*recrubo.Tenant, string, time.Time) {
			return testTenant("t1", "rotated-signing-key-987654"), tok, now
		},
		"truncated": func() (*recrubo.Tenant, string, time.Time) { return acme, tok[:len(tok)-2], now },
		"alg none": func() (*recrubo.Tenant, string, time.Time) {
			return acme, signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), now
		},
		"signed by key": func() (*recrubo.Tenant, string, time.Time) {
			return acme, signed(t, jwt.SigningMethodHS256, []byte("acme-signing-key-0123456789")), now
		},
	}
	for name, tc := range refuse {
		tn, token, at := tc()
		_, err := embed.VerifyToken(tn, token, at)
		if recrubo.ErrorCode(err) != recrubo.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want EUNAUTHORIZED", name, err)
		}
		if err != nil && strings.Contains(recrubo.ErrorMessage(err), "signature") {
			t.Errorf("%s: message tells why: %q", name, recrubo.ErrorMessage(err))
		}
	}
	if _, _, err := embed.IssueToken(&recrubo.EmbedViewer{Tenant: testTenant("t3", ""), User: &recrubo.Recruiter{ID: "1"}}, now); err == nil {
		t.Error("a token was issued without a signing key")
	}
}

// signed makes a token with tenant t1's claims but the wrong signing: no
// algorithm, or the raw signing key instead of the derived one.
func signed(t *testing.T, m jwt.SigningMethod, key any) string {
	t.Helper()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := embed.Claims{TenantID: "t1", Kind: recrubo.EmbedCandidate, RecordID: "42", RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "recrubo-carerix", Audience: jwt.ClaimStrings{"embed"}, Subject: "7",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}}
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
