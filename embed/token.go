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

// tokenIssuer and tokenAudience pin tokens to this use.
const (
	tokenIssuer   = "recrubo-carerix"
	tokenAudience = "embed"
)

// Claims are what a session token binds: tenant, user, page kind and record.
type Claims struct {
	TenantID string            `json:"tid"`
	Kind     recrubo.EmbedKind `json:"knd"`
	RecordID string            `json:"rid,omitempty"`
	Lang     string            `json:"lng"`
	jwt.RegisteredClaims
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

// IssueToken signs a session token for v, valid from now for TokenTTL.
// It returns the token and its expiry.
func IssueToken(v *recrubo.EmbedViewer, now time.Time) (string, time.Time, error) {
	key, err := tokenKey(v.Tenant)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := now.Add(TokenTTL)
	c := Claims{TenantID: v.Tenant.ID, Kind: v.Kind, RecordID: v.RecordID, Lang: v.Lang,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: tokenIssuer, Audience: jwt.ClaimStrings{tokenAudience}, Subject: v.User.ID,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(exp),
		}}
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

// unauthorized hides why a token failed; err is kept for logs only.
func unauthorized(err error) error {
	if err == nil {
		err = errors.New("token bound to another tenant")
	}
	return recrubo.WrapError(recrubo.EUNAUTHORIZED, err, "Your session has expired. Reload the page.")
}
