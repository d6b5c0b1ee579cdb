package embed

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// TokenTTL is how long a session token is valid; the page refreshes it
// before then.
const TokenTTL = 15 * time.Minute

// SessionMaxAge is how long a session lasts from the page load that
// proved it, however often its token is refreshed; after it the page has
// to be loaded again (with Carerix's current proof).
const SessionMaxAge = 12 * time.Hour

// tokenIssuer and tokenAudience pin tokens to this use.
const (
	tokenIssuer   = "recrubo-carerix"
	tokenAudience = "embed"
)

// Claims are what a session token binds: tenant, user, page kind and
// record, and when the session began.
type Claims struct {
	TenantID string            `json:"tid"`
	Kind     recrubo.EmbedKind `json:"knd"`
	RecordID string            `json:"rid,omitempty"`
	Lang     string            `json:"lng"`
	// AuthTime is when the page load that began the session was proved;
	// a refresh carries it over, so no session outlives SessionMaxAge.
	AuthTime *jwt.NumericDate `json:"auth_time,omitempty"`
	// Proof is how the viewer was proved; a session proved by a record's
	// URL opens that record and nothing else, one proved by a sign-in any
	// page of the tenant its roles allow.
	Proof recrubo.ViewerProof `json:"prf"`
	// Privileged viewers see every conversation and the tenant-wide
	// dashboard.
	Privileged bool `json:"prv,omitempty"`
	jwt.RegisteredClaims
}

// Viewer returns the session's viewer on tenant t: the token's user, kind,
// record, language, proof, privilege and when it was proved.
func (c *Claims) Viewer(t *recrubo.Tenant) *recrubo.EmbedViewer {
	v := &recrubo.EmbedViewer{Tenant: t, Kind: c.Kind, RecordID: c.RecordID, Lang: recrubo.NormalizeLang(c.Lang),
		User: &recrubo.Recruiter{TenantID: t.ID, ID: c.Subject, Active: true}, Proof: c.Proof, Privileged: c.Privileged}
	if c.AuthTime != nil {
		v.AuthTime = c.AuthTime.Time
	}
	return v
}

// Opens reports whether a session of these claims may open a page of
// kind (and record): a session proved by a record's URL only that record's
// page; one proved by a tenant-wide page's key only tenant-wide pages; a
// sign-in any page.
func (c *Claims) Opens(kind recrubo.EmbedKind, recordID string) bool {
	switch c.Proof {
	case recrubo.ProvedBySignIn:
		return true
	case recrubo.ProvedByPageKey:
		return kind == recrubo.EmbedDashboard
	default:
		return kind == c.Kind && recordID == c.RecordID
	}
}

// UserID is the token's subject, the viewing Carerix user.
func (c *Claims) UserID() string { return c.Subject }

// tokenKey derives the HMAC key of a tenant's session tokens from its
// embed signing key, so the signing key itself signs nothing directly.
func tokenKey(t *recrubo.Tenant) ([]byte, error) {
	k := t.Embed.SigningKey.Reveal()
	if len(k) < 16 {
		return nil, recrubo.Errorf(recrubo.EINTERNAL, "tenant %s has no embed signing key", t.Slug)
	}
	m := hmac.New(sha256.New, []byte(k))
	m.Write([]byte("recrubo embed session token v1"))
	return m.Sum(nil), nil
}

// IssueToken signs a session token for v, valid from now for TokenTTL:
// a new session when v was proved now (zero AuthTime), else one that ends
// SessionMaxAge after v.AuthTime (a page opened within a session). It
// returns the token and its expiry; a session past its end is
// EUNAUTHORIZED.
func IssueToken(v *recrubo.EmbedViewer, now time.Time) (string, time.Time, error) {
	at := v.AuthTime
	if at.IsZero() {
		at = now
	}
	if !now.Before(at.Add(SessionMaxAge)) {
		return "", time.Time{}, recrubo.E(recrubo.EUNAUTHORIZED, "embed.error.session_ended")
	}
	c := Claims{TenantID: v.Tenant.ID, Kind: v.Kind, RecordID: v.RecordID, Lang: v.Lang,
		AuthTime: jwt.NewNumericDate(at), Proof: v.Proof, Privileged: v.Privileged,
		RegisteredClaims: jwt.RegisteredClaims{Subject: v.User.ID}}
	return sign(v.Tenant, c, now)
}

// RefreshToken signs a fresh token for the session of c, a token of
// tenant t that VerifyToken accepted: same tenant, user, kind, record,
// language and AuthTime. Its expiry is TokenTTL from now but never past
// SessionMaxAge from AuthTime. A session that has reached SessionMaxAge,
// or a token without AuthTime, is EUNAUTHORIZED: the page must be loaded
// again.
func RefreshToken(t *recrubo.Tenant, c *Claims, now time.Time) (string, time.Time, error) {
	if c.AuthTime == nil || !now.Before(c.AuthTime.Add(SessionMaxAge)) {
		return "", time.Time{}, recrubo.E(recrubo.EUNAUTHORIZED, "embed.error.session_ended")
	}
	next := Claims{TenantID: c.TenantID, Kind: c.Kind, RecordID: c.RecordID, Lang: c.Lang,
		AuthTime: c.AuthTime, Proof: c.Proof, Privileged: c.Privileged,
		RegisteredClaims: jwt.RegisteredClaims{Subject: c.Subject}}
	return sign(t, next, now)
}

// sign completes c's registered claims for issue at now and signs it
// with t's token key. It returns the token and its expiry.
func sign(t *recrubo.Tenant, c Claims, now time.Time) (string, time.Time, error) {
	key, err := tokenKey(t)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := now.Add(TokenTTL)
	if end := c.AuthTime.Add(SessionMaxAge); end.Before(exp) {
		exp = end
	}
	c.Issuer, c.Audience = tokenIssuer, jwt.ClaimStrings{tokenAudience}
	c.IssuedAt, c.NotBefore = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(-time.Minute))
	c.ExpiresAt = jwt.NewNumericDate(exp)
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing embed token: %w", err)
	}
	return s, exp, nil
}

// VerifyToken checks a session token against tenant t at now: signature
// (HS256 only), issuer, audience, time window and tenant. Any failure is
// EUNAUTHORIZED without detail. The caller still compares the claims'
// kind and record with the route it serves.
func VerifyToken(t *recrubo.Tenant, token string, now time.Time) (*Claims, error) {
	key, err := tokenKey(t)
	if err != nil {
		return nil, err
	}
	var c Claims
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer), jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || c.TenantID != t.ID || c.Subject == "" {
		return nil, unauthorized(err)
	}
	return &c, nil
}

// TokenLang returns the language a session token names, "nl" or "en",
// without verifying the token: it only chooses the language in which a
// refusal of that very token is worded. "" when token does not parse.
func TokenLang(token string) string {
	var c Claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil || c.Lang == "" {
		return ""
	}
	return recrubo.NormalizeLang(c.Lang)
}

// unauthorized hides why a token failed; err is kept for logs only.
func unauthorized(err error) error {
	if err == nil {
		err = errors.New("token bound to another tenant")
	}
	return recrubo.WrapE(recrubo.EUNAUTHORIZED, err, "embed.expired")
}
