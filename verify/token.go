package verify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// LinkTTL is how long a verify link stays valid.
const LinkTTL = 7 * 24 * time.Hour

// keyLabel separates the verify-link key from other uses of the tenant's
// embed signing key.
const keyLabel = "recrubo verify link v1"

// LinkStore is what issuing and checking links needs.
type LinkStore interface {
	TenantByID(ctx context.Context, id string) (*recrubo.Tenant, error)
	SaveVerifyLink(ctx context.Context, l *recrubo.VerifyLink) error
	CurrentVerifyLink(ctx context.Context, tenantID string) (*recrubo.VerifyLink, error)
}

// Links issues and checks verify links. Each link is signed with a key
// derived from the tenant's embed signing key, expires after TTL, and
// stops working as soon as a newer link is issued.
type Links struct {
	Store LinkStore
	// PublicURL is the service's public base URL.
	PublicURL string
	// TTL defaults to LinkTTL.
	TTL time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

func (l *Links) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// tokenKey derives the tenant's verify-link key.
func tokenKey(t *recrubo.Tenant) ([]byte, error) {
	secret := t.Embed.SigningKey.Reveal()
	if secret == "" {
		return nil, recrubo.Errorf(recrubo.EINVALID, "Tenant %s has no embed signing key.", t.Slug)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(keyLabel))
	return m.Sum(nil), nil
}

func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Issue makes a new link for t, revoking the previous one, and returns
// its URL.
func (l *Links) Issue(ctx context.Context, t *recrubo.Tenant) (string, error) {
	token, err := l.IssueToken(ctx, t)
	if err != nil {
		return "", err
	}
	return l.url(token), nil
}

// url is the verify page of token.
func (l *Links) url(token string) string {
	return strings.TrimSuffix(l.PublicURL, "/") + "/verify/" + token
}

// Current returns the URL of t's current link and when it expires, without
// issuing a new one (the token is signed again from the stored link, so it
// is the URL Issue returned, under the current signing key). url is ""
// when t has no link that is valid now: none issued, expired or revoked.
func (l *Links) Current(ctx context.Context, t *recrubo.Tenant) (url string, expiresAt time.Time, err error) {
	cur, err := l.Store.CurrentVerifyLink(ctx, t.ID)
	switch {
	case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
		return "", time.Time{}, nil
	case err != nil:
		return "", time.Time{}, fmt.Errorf("reading the current verify link: %w", err)
	}
	// The token carries the expiry in whole seconds, and Check goes by it.
	exp := time.Unix(cur.ExpiresAt.Unix(), 0).UTC()
	if !l.now().Before(exp) || !isLinkID(cur.ID) {
		return "", time.Time{}, nil
	}
	key, err := tokenKey(t)
	if err != nil {
		return "", time.Time{}, err
	}
	return l.url(token(key, t.ID, cur)), exp, nil
}

// Revoke makes t's current link stop working, if one is valid: it is
// replaced by a link that was never handed out and has already expired.
func (l *Links) Revoke(ctx context.Context, t *recrubo.Tenant) error {
	cur, err := l.Store.CurrentVerifyLink(ctx, t.ID)
	switch {
	case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
		return nil
	case err != nil:
		return fmt.Errorf("reading the current verify link: %w", err)
	}
	now := l.now()
	if !now.Before(cur.ExpiresAt) {
		return nil
	}
	id, err := newLinkID()
	if err != nil {
		return err
	}
	if err := l.Store.SaveVerifyLink(ctx, &recrubo.VerifyLink{TenantID: t.ID, ID: id, IssuedAt: now, ExpiresAt: now}); err != nil {
		return fmt.Errorf("revoking the verify link: %w", err)
	}
	return nil
}

// newLinkID makes a random link id.
func newLinkID() (string, error) {
	b := make([]byte, linkIDBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a verify link id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// token is the signed token of link l of tenantID.
func token(key []byte, tenantID string, l *recrubo.VerifyLink) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(tenantID + "|" + l.ID + "|" + strconv.FormatInt(l.ExpiresAt.Unix(), 10)))
	return payload + "." + sign(key, payload)
}

// IssueToken makes a new link token for t, revoking the previous one.
func (l *Links) IssueToken(ctx context.Context, t *recrubo.Tenant) (string, error) {
	key, err := tokenKey(t)
	if err != nil {
		return "", err
	}
	id, err := newLinkID()
	if err != nil {
		return "", err
	}
	ttl := l.TTL
	if ttl <= 0 {
		ttl = LinkTTL
	}
	now := l.now()
	link := &recrubo.VerifyLink{TenantID: t.ID, ID: id, IssuedAt: now, ExpiresAt: now.Add(ttl)}
	if err := l.Store.SaveVerifyLink(ctx, link); err != nil {
		return "", fmt.Errorf("saving the verify link: %w", err)
	}
	return token(key, t.ID, link), nil
}

// linkIDBytes is the size of a link's random id, hex-encoded in tokens.
const linkIDBytes = 12

// isLinkID reports whether s has the shape of a link id.
func isLinkID(s string) bool {
	if len(s) != 2*linkIDBytes {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// plausibleTenantID reports whether s could be a tenant id: short, valid
// UTF-8, printable.
func plausibleTenantID(s string) bool {
	if s == "" || len(s) > 128 || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// forbidden is the one answer to every bad token: no detail.
func forbidden() error { return recrubo.Errorf(recrubo.EFORBIDDEN, "Forbidden.") }

// Signer returns the tenant whose key signed token, whether or not the
// link is still valid (it may have expired or been replaced); nil when
// the token is malformed, its signature does not verify, or its tenant is
// gone. Pages use it to answer a dead link in the tenant's language: only
// a link Recrubo issued gets that far, so it tells nothing to anyone
// without one.
func (l *Links) Signer(ctx context.Context, token string) *recrubo.Tenant {
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || !plausibleTenantID(parts[0]) || !isLinkID(parts[1]) {
		return nil
	}
	t, err := l.Store.TenantByID(ctx, parts[0])
	if err != nil {
		return nil
	}
	key, err := tokenKey(t)
	if err != nil || subtle.ConstantTimeCompare([]byte(sign(key, payload)), []byte(mac)) != 1 {
		return nil
	}
	return t
}

// Check returns the tenant a token was issued for. A malformed, tampered,
// expired or revoked token, or one for an unknown tenant, is EFORBIDDEN
// without detail.
func (l *Links) Check(ctx context.Context, token string) (*recrubo.Tenant, error) {
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return nil, forbidden()
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, forbidden()
	}
	parts := strings.Split(string(raw), "|")
	// The payload is not yet authenticated: refuse anything our links
	// never carry before it reaches the store (which rejects a NUL byte or
	// invalid UTF-8 with an error of its own).
	if len(parts) != 3 || !plausibleTenantID(parts[0]) || !isLinkID(parts[1]) {
		return nil, forbidden()
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return nil, forbidden()
	}
	t, err := l.Store.TenantByID(ctx, parts[0])
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, forbidden()
	} else if err != nil {
		return nil, err
	}
	key, err := tokenKey(t)
	if err != nil {
		return nil, forbidden()
	}
	if subtle.ConstantTimeCompare([]byte(sign(key, payload)), []byte(mac)) != 1 {
		return nil, forbidden()
	}
	if !l.now().Before(time.Unix(exp, 0)) {
		return nil, forbidden()
	}
	cur, err := l.Store.CurrentVerifyLink(ctx, t.ID)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, forbidden()
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(cur.ID), []byte(parts[1])) != 1 {
		return nil, forbidden()
	}
	return t, nil
}
