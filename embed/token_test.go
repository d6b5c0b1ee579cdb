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

func TestRefreshTokenEndsAtSessionMaxAge(t *testing.T) {
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	acme := testTenant("t1", "acme-signing-key-0123456789")
	v := &recrubo.EmbedViewer{Tenant: acme, Kind: recrubo.EmbedVacancy, RecordID: "9", User: &recrubo.Recruiter{ID: "7"}, Lang: "en"}
	tok, _, err := embed.IssueToken(v, start)
	if err != nil {
		t.Fatal(err)
	}
	c, err := embed.VerifyToken(acme, tok, start)
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthTime == nil || !c.AuthTime.Equal(start) {
		t.Fatalf("auth_time of a new session = %v, want %v", c.AuthTime, start)
	}

	// Refreshes carry the session over, auth_time unchanged; the token
	// of the last one ends with the session.
	for _, tc := range []struct {
		after   time.Duration
		expires time.Duration // after start
	}{
		{10 * time.Minute, 25 * time.Minute},
		{11 * time.Hour, 11*time.Hour + embed.TokenTTL},
		{embed.SessionMaxAge - embed.TokenTTL, embed.SessionMaxAge},
		{embed.SessionMaxAge - time.Minute, embed.SessionMaxAge},
	} {
		now := start.Add(tc.after)
		next, exp, err := embed.RefreshToken(acme, c, now)
		if err != nil {
			t.Fatalf("refresh after %v: %v", tc.after, err)
		}
		if !exp.Equal(start.Add(tc.expires)) {
			t.Errorf("refresh after %v expires %v after the start, want %v", tc.after, exp.Sub(start), tc.expires)
		}
		rc, err := embed.VerifyToken(acme, next, now)
		if err != nil {
			t.Fatalf("refreshed token after %v: %v", tc.after, err)
		}
		if !rc.AuthTime.Equal(start) || rc.UserID() != "7" || rc.Kind != recrubo.EmbedVacancy || rc.RecordID != "9" || rc.Lang != "en" ||
			!rc.ExpiresAt.Equal(exp) || !rc.IssuedAt.Equal(now) {
			t.Errorf("refreshed claims after %v = %+v", tc.after, rc)
		}
		c = rc
	}

	// At the limit, and for a token that does not say when its session
	// began, the refresh is refused.
	for name, tc := range map[string]struct {
		c   *embed.Claims
		now time.Time
	}{
		"at the limit":   {c, start.Add(embed.SessionMaxAge)},
		"past the limit": {c, start.Add(embed.SessionMaxAge + time.Hour)},
		"no auth_time":   {&embed.Claims{TenantID: "t1", Kind: recrubo.EmbedVacancy, RecordID: "9"}, start},
		"days later":     {c, start.Add(100 * embed.SessionMaxAge)},
	} {
		if _, _, err := embed.RefreshToken(acme, tc.c, tc.now); recrubo.ErrorCode(err) != recrubo.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want EUNAUTHORIZED", name, err)
		}
	}
}

func TestTokenLang(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	acme := testTenant("t1", "acme-signing-key-0123456789")
	for lang, want := range map[string]string{"nl": "nl", "Dutch": "nl", "en": "en", "": ""} {
		tok, _, err := embed.IssueToken(&recrubo.EmbedViewer{Tenant: acme, Kind: recrubo.EmbedDashboard, User: &recrubo.Recruiter{ID: "7"}, Lang: lang}, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := embed.TokenLang(tok); got != want {
			t.Errorf("TokenLang of a %q token = %q, want %q", lang, got, want)
		}
	}
	if got := embed.TokenLang("not-a-token"); got != "" {
		t.Errorf("TokenLang(garbage) = %q", got)
	}
}
