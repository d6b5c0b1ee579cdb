package embed

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// RealmSignIn signs viewers in through the tenant's Carerix identity
// realm: OpenID Connect, authorization code with PKCE, run by the framed
// page in a top-level popup (the frame has no cookies; the popup is
// first-party to the realm, whose session signs a recruiter already
// signed in to Carerix straight back in).
type RealmSignIn interface {
	// Start returns what the page needs to open the realm's authorize
	// endpoint; the page makes the state, nonce and PKCE verifier.
	Start(ctx context.Context, t *recrubo.Tenant) (*SignInStart, error)
	// Exchange redeems the callback's code with the page's PKCE verifier,
	// verifies the ID token (signature by the realm's keys, issuer,
	// audience, expiry and the page's nonce) and returns who signed in.
	Exchange(ctx context.Context, t *recrubo.Tenant, code, verifier, nonce string) (*Identity, error)
}

// SignInStart is what a framed page needs to start a sign-in.
type SignInStart struct {
	AuthURL     string `json:"authURL"`
	ClientID    string `json:"clientID"`
	RedirectURI string `json:"redirectURI"`
	Scope       string `json:"scope"`
}

// Identity is who signed in, as the realm's ID token names them.
type Identity struct {
	Subject  string
	Username string // preferred_username (Keycloak lower-cases it)
	Email    string
	Name     string
	// Roles are the realm roles the token lists (realm_access.roles).
	Roles []string
}

// CallbackPath is where the realm sends the popup back: register
// PUBLIC_URL + CallbackPath as the public client's redirect URI.
const CallbackPath = "/signin/callback"

// signInScope asks for the ID token and the claims that name the user.
const signInScope = "openid profile email"

// Realm implements RealmSignIn against Keycloak realms such as Carerix's.
// Each realm's discovery document and keys are read once and kept for
// ProviderTTL. Safe for concurrent use.
type Realm struct {
	// PublicURL is the service's public base URL; the redirect URI is
	// PublicURL + CallbackPath.
	PublicURL string
	// HTTPClient reaches the realms; nil means http.DefaultClient.
	HTTPClient *http.Client
	// ProviderTTL is how long a realm's discovery is kept (default 1 h).
	ProviderTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu        sync.Mutex
	providers map[string]cachedProvider
}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

var _ RealmSignIn = (*Realm)(nil)

// Issuer is the tenant's realm as an OpenID issuer URL.
func Issuer(t *recrubo.Tenant) string {
	return strings.TrimSuffix(t.Carerix.IdentityBaseURL, "/") + "/auth/realms/" + t.Carerix.Realm
}

func (r *Realm) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Realm) ctx(ctx context.Context) context.Context {
	if r.HTTPClient != nil {
		return oidc.ClientContext(ctx, r.HTTPClient)
	}
	return ctx
}

// provider returns the tenant's realm, discovering it when not cached.
func (r *Realm) provider(ctx context.Context, t *recrubo.Tenant) (*oidc.Provider, error) {
	if t.Embed.SignInClientID == "" {
		return nil, recrubo.E(recrubo.EUNAVAILABLE, "embed.error.signin_unavailable")
	}
	iss := Issuer(t)
	ttl := r.ProviderTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	r.mu.Lock()
	c, ok := r.providers[iss]
	r.mu.Unlock()
	if ok && r.now().Sub(c.at) < ttl {
		return c.p, nil
	}
	p, err := oidc.NewProvider(r.ctx(ctx), iss)
	if err != nil {
		return nil, recrubo.WrapE(recrubo.EUNAVAILABLE, err, "embed.error.carerix_unavailable")
	}
	r.mu.Lock()
	if r.providers == nil {
		r.providers = map[string]cachedProvider{}
	}
	r.providers[iss] = cachedProvider{p: p, at: r.now()}
	r.mu.Unlock()
	return p, nil
}

// Start implements RealmSignIn.
func (r *Realm) Start(ctx context.Context, t *recrubo.Tenant) (*SignInStart, error) {
	p, err := r.provider(ctx, t)
	if err != nil {
		return nil, err
	}
	return &SignInStart{AuthURL: p.Endpoint().AuthURL, ClientID: t.Embed.SignInClientID,
		RedirectURI: r.redirectURI(), Scope: signInScope}, nil
}

func (r *Realm) redirectURI() string { return strings.TrimSuffix(r.PublicURL, "/") + CallbackPath }

// idClaims are the ID token's claims the product reads.
type idClaims struct {
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	RealmAccess       struct {
		Roles []string `json:"roles"`
	} `json:"realm_access"`
}

// Exchange implements RealmSignIn. Every refusal (a code the realm does
// not redeem, a token that does not verify, a nonce that differs) is
// EFORBIDDEN without detail; a realm that cannot be reached EUNAVAILABLE.
func (r *Realm) Exchange(ctx context.Context, t *recrubo.Tenant, code, verifier, nonce string) (*Identity, error) {
	if code == "" || len(verifier) < 43 || len(verifier) > 128 || nonce == "" || len(nonce) > 256 {
		return nil, signInRefused(errors.New("code, verifier or nonce missing or malformed"))
	}
	p, err := r.provider(ctx, t)
	if err != nil {
		return nil, err
	}
	conf := oauth2.Config{ClientID: t.Embed.SignInClientID, Endpoint: p.Endpoint(), RedirectURL: r.redirectURI(),
		Scopes: strings.Fields(signInScope)}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams // a public client has no secret
	tok, err := conf.Exchange(r.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, signInRefused(err)
		}
		return nil, recrubo.WrapE(recrubo.EUNAVAILABLE, err, "embed.error.carerix_unavailable")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, signInRefused(errors.New("the realm answered without an ID token"))
	}
	idt, err := p.VerifierContext(r.ctx(ctx), &oidc.Config{ClientID: t.Embed.SignInClientID, Now: r.now}).Verify(r.ctx(ctx), raw)
	if err != nil {
		return nil, signInRefused(fmt.Errorf("verifying the ID token: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, signInRefused(errors.New("the ID token's nonce is not the page's"))
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return nil, signInRefused(fmt.Errorf("reading the ID token's claims: %w", err))
	}
	if cl.PreferredUsername == "" && cl.Email == "" {
		return nil, signInRefused(errors.New("the ID token names no user"))
	}
	return &Identity{Subject: idt.Subject, Username: cl.PreferredUsername, Email: cl.Email, Name: cl.Name,
		Roles: cl.RealmAccess.Roles}, nil
}

// signInRefused is the one answer to a sign-in that does not prove
// anyone; err is kept for the logs.
func signInRefused(err error) error {
	return recrubo.WrapE(recrubo.EFORBIDDEN, err, "error.forbidden")
}
