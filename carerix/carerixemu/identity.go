package carerixemu

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client is an OAuth2 confidential client of the emulated identity server
// (Carerix "Identity Access > Clients").
type Client struct {
	// ID is the client_id, e.g. "0123abcd.apps.carerix.io".
	ID string
	// Secret is the client_secret (Carerix calls it the API token).
	Secret string
	// Scopes are the scopes the client may receive; nil means AllScopes().
	Scopes []string
	// TokenLifetime overrides Options.TokenLifetime for this client.
	TokenLifetime time.Duration
}

// tokenClaims are the claims of an access token, Keycloak-style.
type tokenClaims struct {
	jwt.RegisteredClaims
	Azp               string `json:"azp"`
	Scope             string `json:"scope"`
	Typ               string `json:"typ"`
	ClientID          string `json:"client_id"`
	PreferredUsername string `json:"preferred_username"`
}

// identity issues and verifies RS256 access tokens for one realm.
type identity struct {
	realm    string
	key      *rsa.PrivateKey
	kid      string
	clients  map[string]Client
	lifetime time.Duration
	now      func() time.Time
}

func newIdentity(realm string, key *rsa.PrivateKey, clients []Client, lifetime time.Duration, now func() time.Time) (*identity, error) {
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("generating realm signing key: %w", err)
		}
	}
	sum := sha256.Sum256(key.N.Bytes())
	id := &identity{realm: realm, key: key, kid: hex.EncodeToString(sum[:8]),
		clients: map[string]Client{}, lifetime: lifetime, now: now}
	for _, c := range clients {
		if c.ID == "" || c.Secret == "" {
			return nil, fmt.Errorf("client %q: id and secret are required", c.ID)
		}
		if _, dup := id.clients[c.ID]; dup {
			return nil, fmt.Errorf("client %q configured twice", c.ID)
		}
		if c.Scopes == nil {
			c.Scopes = AllScopes()
		}
		id.clients[c.ID] = c
	}
	return id, nil
}

// issuer returns the iss claim for a base URL.
func (id *identity) issuer(base string) string {
	return strings.TrimRight(base, "/") + "/auth/realms/" + id.realm
}

// oauthError is a Keycloak-style error body.
type oauthError struct {
	status int
	code   string
	desc   string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

var errInvalidClient = &oauthError{http.StatusUnauthorized, "invalid_client", "Invalid client or Invalid client credentials"}

// tokenResponse is the body of a successful token request.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int    `json:"expires_in"`
	RefreshExpiresIn int    `json:"refresh_expires_in"`
	TokenType        string `json:"token_type"`
	NotBeforePolicy  int    `json:"not-before-policy"`
	Scope            string `json:"scope"`
	// IDToken and SessionState answer an authorization_code grant.
	IDToken      string `json:"id_token,omitempty"`
	SessionState string `json:"session_state,omitempty"`
}

// grant handles a client_credentials token request.
func (id *identity) grant(r *http.Request, base string) (tokenResponse, error) {
	if err := r.ParseForm(); err != nil {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_request", "Malformed form body"}
	}
	gt := r.PostForm.Get("grant_type")
	if gt == "" {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_request", "Missing form parameter: grant_type"}
	}
	if gt != "client_credentials" {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type"}
	}
	clientID, secret, err := clientCredentials(r)
	if err != nil {
		return tokenResponse{}, err
	}
	c, ok := id.clients[clientID]
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return tokenResponse{}, errInvalidClient
	}
	granted := c.Scopes
	if req := strings.Fields(r.PostForm.Get("scope")); len(req) > 0 {
		granted = nil
		for _, s := range req {
			if slices.Contains(c.Scopes, s) && !slices.Contains(granted, s) {
				granted = append(granted, s)
			}
		}
	}
	lifetime := id.lifetime
	if c.TokenLifetime > 0 {
		lifetime = c.TokenLifetime
	}
	tok, err := id.issue(c.ID, granted, lifetime, base)
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{AccessToken: tok, ExpiresIn: int(lifetime / time.Second), TokenType: "Bearer",
		Scope: strings.Join(granted, " ")}, nil
}

// clientCredentials reads the client id and secret from HTTP Basic auth
// (URL-decoded, RFC 6749 §2.3.1) or from the form.
func clientCredentials(r *http.Request) (id, secret string, err error) {
	if u, p, ok := r.BasicAuth(); ok {
		if id, err = url.QueryUnescape(u); err != nil {
			return "", "", errInvalidClient
		}
		if secret, err = url.QueryUnescape(p); err != nil {
			return "", "", errInvalidClient
		}
		return id, secret, nil
	}
	id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id == "" {
		return "", "", &oauthError{http.StatusBadRequest, "invalid_client", "Missing parameter: client_id"}
	}
	return id, secret, nil
}

// issue signs an access token.
func (id *identity) issue(clientID string, scopes []string, lifetime time.Duration, base string) (string, error) {
	now := id.now()
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", fmt.Errorf("generating token id: %w", err)
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    id.issuer(base),
			Subject:   "service-account-" + clientID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
			ID:        hex.EncodeToString(jti[:]),
		},
		Azp:               clientID,
		ClientID:          clientID,
		Scope:             strings.Join(scopes, " "),
		Typ:               "Bearer",
		PreferredUsername: "service-account-" + clientID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = id.kid
	s, err := t.SignedString(id.key)
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return s, nil
}

// principal is the verified caller of an API request.
type principal struct {
	clientID string
	scopes   []string
}

// errUnauthenticated marks bearer-token failures.
var errUnauthenticated = errors.New("unauthenticated")

// verify checks the bearer token of r: RS256 signature by this realm's
// key, issuer, expiry.
func (id *identity) verify(r *http.Request, base string) (principal, error) {
	h := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return principal{}, fmt.Errorf("%w: missing bearer token", errUnauthenticated)
	}
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(strings.TrimSpace(raw), &claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != id.kid {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return &id.key.PublicKey, nil
	},
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(id.issuer(base)),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(id.now),
	)
	if err != nil {
		return principal{}, fmt.Errorf("%w: invalid token: %v", errUnauthenticated, err)
	}
	return principal{clientID: claims.Azp, scopes: strings.Fields(claims.Scope)}, nil
}

// jwks returns the realm's JSON Web Key Set.
func (id *identity) jwks() map[string]any {
	pub := id.key.PublicKey
	return map[string]any{"keys": []map[string]any{{
		"kid": id.kid,
		"kty": "RSA",
		"alg": "RS256",
		"use": "sig",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}}
}

// discovery returns the realm's OpenID Connect discovery document.
func (id *identity) discovery(base string) map[string]any {
	iss := id.issuer(base)
	oidc := iss + "/protocol/openid-connect"
	return map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                oidc + "/auth",
		"token_endpoint":                        oidc + "/token",
		"userinfo_endpoint":                     oidc + "/userinfo",
		"end_session_endpoint":                  oidc + "/logout",
		"jwks_uri":                              oidc + "/certs",
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"subject_types_supported":               []string{"public"},
		"scopes_supported":                      append(slices.Clone(userScopes), AllScopes()...),
		"claims_supported": []string{"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "sid",
			"preferred_username", "email", "email_verified", "name", "given_name", "family_name", "realm_access"},
		"claims_parameter_supported":                     false,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"authorization_response_iss_parameter_supported": true,
		"frontchannel_logout_supported":                  false,
		"backchannel_logout_supported":                   false,
	}
}
