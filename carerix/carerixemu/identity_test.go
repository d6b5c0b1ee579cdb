package carerixemu_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestTokenBasicAndFormCredentials(t *testing.T) {
	srv := start(t)
	for _, basic := range []bool{true, false} {
		status, tr := requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, basic, testClient, testSecret)
		if status != http.StatusOK {
			t.Fatalf("basic=%v: status %d: %+v", basic, status, tr)
		}
		if tr.TokenType != "Bearer" || tr.AccessToken == "" || tr.ExpiresIn != 3600 {
			t.Errorf("basic=%v: got %+v, want Bearer token expiring in 3600", basic, tr)
		}
		if got, want := strings.Fields(tr.Scope), carerixemu.AllScopes(); !slices.Equal(got, want) {
			t.Errorf("basic=%v: scope = %v, want all scopes %v", basic, got, want)
		}
	}
}

func TestTokenRejectsBadClients(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name       string
		form       url.Values
		id, secret string
		wantStatus int
		wantError  string
		wantDesc   string
	}{
		{"WrongSecret", url.Values{"grant_type": {"client_credentials"}}, testClient, "nope", 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"UnknownClient", url.Values{"grant_type": {"client_credentials"}}, "who", testSecret, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"UnsupportedGrant", url.Values{"grant_type": {"password"}}, testClient, testSecret, 400, "unsupported_grant_type", "Unsupported grant_type"},
		{"MissingGrant", url.Values{}, testClient, testSecret, 400, "invalid_request", "Missing form parameter: grant_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, tr := requestToken(t, srv, tc.form, true, tc.id, tc.secret)
			if status != tc.wantStatus || tr.Error != tc.wantError || tr.ErrorDescription != tc.wantDesc {
				t.Errorf("got %d %q %q, want %d %q %q", status, tr.Error, tr.ErrorDescription, tc.wantStatus, tc.wantError, tc.wantDesc)
			}
			if tr.AccessToken != "" {
				t.Error("an access token was issued")
			}
		})
	}
}

func TestTokenScopeNarrowing(t *testing.T) {
	srv := start(t, func(o *carerixemu.Options) {
		o.Clients = []carerixemu.Client{{ID: testClient, Secret: testSecret,
			Scopes: []string{carerixemu.ScopeCx5Manage, "urn:cx/webhooks:data:manage"}}}
	})
	form := url.Values{"grant_type": {"client_credentials"},
		"scope": {"urn:cx/webhooks:data:manage urn:cx/tenants:data:manage"}}
	status, tr := requestToken(t, srv, form, false, testClient, testSecret)
	if status != http.StatusOK {
		t.Fatalf("status %d: %+v", status, tr)
	}
	if tr.Scope != "urn:cx/webhooks:data:manage" {
		t.Errorf("scope = %q, want only the requested and allowed scope", tr.Scope)
	}
	// The narrowed token must not read candidates.
	r := gql(t, srv, tr.AccessToken, `{ crEmployeePage { totalElements } }`, nil)
	if r.code() != carerixemu.CodeForbidden {
		t.Errorf("narrowed token read candidates: %s", r.Body)
	}
	// Without a scope parameter the client gets everything it may have.
	_, all := requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, true, testClient, testSecret)
	if all.Scope != carerixemu.ScopeCx5Manage+" urn:cx/webhooks:data:manage" {
		t.Errorf("default scope = %q", all.Scope)
	}
}

// jwksKey fetches the realm's JWKS and rebuilds the RSA public key.
func jwksKey(t *testing.T, srv *carerixemu.Server, kid string) *rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(srv.Issuer() + "/protocol/openid-connect/certs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ Kid, Kty, Alg, N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k.Kid != kid {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || k.Kty != "RSA" || k.Alg != "RS256" {
			t.Fatalf("bad JWK %+v", k)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	t.Fatalf("no JWK with kid %q", kid)
	return nil
}

func TestTokenVerifiesWithJWKSAndDiscovery(t *testing.T) {
	srv := start(t)
	tok := token(t, srv, carerixemu.ScopeCx5Manage)

	resp, err := http.Get(srv.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Issuer string `json:"issuer"`
		Token  string `json:"token_endpoint"`
		JWKS   string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	if want := srv.URL() + "/auth/realms/acme"; disc.Issuer != want || disc.Token != srv.TokenURL() {
		t.Errorf("discovery = %+v, want issuer %s and token %s", disc, want, srv.TokenURL())
	}

	var claims struct {
		jwt.RegisteredClaims
		Azp   string `json:"azp"`
		Scope string `json:"scope"`
	}
	parsed, err := jwt.ParseWithClaims(tok, &claims, func(tk *jwt.Token) (any, error) {
		return jwksKey(t, srv, tk.Header["kid"].(string)), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(disc.Issuer))
	if err != nil || !parsed.Valid {
		t.Fatalf("token does not verify with the JWKS: %v", err)
	}
	if claims.Azp != testClient || claims.Scope != carerixemu.ScopeCx5Manage || claims.ID == "" ||
		claims.IssuedAt == nil || claims.ExpiresAt == nil {
		t.Errorf("claims = %+v", claims)
	}
}

func TestWrongRealmIs404(t *testing.T) {
	srv := start(t)
	resp, err := http.Post(srv.URL()+"/auth/realms/other/protocol/openid-connect/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want 404", resp.StatusCode)
	}
}

func TestOAuth2LibraryObtainsToken(t *testing.T) {
	srv := start(t)
	cfg := clientcredentials.Config{ClientID: testClient, ClientSecret: testSecret, TokenURL: srv.TokenURL(),
		Scopes: []string{carerixemu.ScopeCx5Manage}}
	tok, err := cfg.Token(t.Context())
	if err != nil {
		t.Fatalf("x/oauth2 token: %v", err)
	}
	r := gql(t, srv, tok.AccessToken, `{ crEmployeePage { totalElements } }`, nil)
	mustData(t, r, &struct{}{})
}

func TestExpiredAndForeignTokensAre401(t *testing.T) {
	clk := newClock()
	srv := start(t, func(o *carerixemu.Options) {
		o.Now = clk.Now
		o.Clients = []carerixemu.Client{{ID: testClient, Secret: testSecret, TokenLifetime: time.Minute}}
	})
	_, tr := requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, true, testClient, testSecret)
	if tr.ExpiresIn != 60 {
		t.Errorf("expires_in = %d, want the client's 60", tr.ExpiresIn)
	}
	if r := gql(t, srv, tr.AccessToken, `{ crEmployeePage { totalElements } }`, nil); r.Status != http.StatusOK {
		t.Fatalf("fresh token refused: %s", r.Body)
	}
	clk.Advance(61 * time.Second)
	r := gql(t, srv, tr.AccessToken, `{ crEmployeePage { totalElements } }`, nil)
	if r.Status != http.StatusUnauthorized || r.code() != carerixemu.CodeUnauthenticated {
		t.Errorf("expired token: status %d body %s", r.Status, r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no Bearer challenge: %q", r.Header.Get("WWW-Authenticate"))
	}

	// A token with the right claims signed by another key.
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	forged := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": srv.Issuer(), "azp": testClient, "scope": carerixemu.ScopeCx5Manage,
		"exp": clk.Now().Add(time.Hour).Unix(), "iat": clk.Now().Unix(),
	})
	raw, err := forged.SignedString(other)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"forged": raw, "missing": "", "garbage": "abc.def.ghi"} {
		if r := gql(t, srv, tok, `{ crEmployeePage { totalElements } }`, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s token: status %d", name, r.Status)
		}
	}
}
