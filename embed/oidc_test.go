package embed_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
)

// tokenSwap answers the realm's token endpoint with a chosen ID token and
// passes every other request (discovery, keys) to the realm itself.
type tokenSwap struct {
	idToken string
}

func (s *tokenSwap) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, _ := json.Marshal(map[string]any{"access_token": "x", "token_type": "Bearer", "expires_in": 300, "id_token": s.idToken})
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// TestRealmExchangeVerifiesTheIDToken: the realm's discovery and keys are
// the emulator's; the token endpoint answers ID tokens made here, signed
// with the realm's key (or another), so each check is tried on its own.
func TestRealmExchangeVerifiesTheIDToken(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", SigningKey: key})
	tn := &recrubo.Tenant{Slug: "acme", Carerix: recrubo.CarerixSettings{IdentityBaseURL: emu.URL(), Realm: "acme"},
		Embed: recrubo.EmbedSettings{SignInClientID: carerixemu.DefaultPublicClientID}}
	issuer := embed.Issuer(tn)
	sum := sha256.Sum256(key.N.Bytes())
	kid := hex.EncodeToString(sum[:8])
	const nonce = "page-nonce-0123456789"
	verifier := strings.Repeat("v", 64)

	token := func(signer *rsa.PrivateKey, edit func(jwt.MapClaims)) string {
		now := time.Now()
		c := jwt.MapClaims{"iss": issuer, "aud": carerixemu.DefaultPublicClientID, "azp": carerixemu.DefaultPublicClientID,
			"sub": "8b7e", "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nonce": nonce,
			"preferred_username": "eva", "email": "eva@example.nl", "realm_access": map[string]any{"roles": []string{"Teamleider"}}}
		if edit != nil {
			edit(c)
		}
		tk := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tk.Header["kid"] = kid
		s, err := tk.SignedString(signer)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name   string
		signer *rsa.PrivateKey
		edit   func(jwt.MapClaims)
		nonce  string
		ok     bool
	}{
		{"valid", key, nil, nonce, true},
		{"wrong audience", key, func(c jwt.MapClaims) { c["aud"] = "another-client" }, nonce, false},
		{"wrong issuer", key, func(c jwt.MapClaims) { c["iss"] = strings.Replace(issuer, "acme", "other", 1) }, nonce, false},
		{"wrong nonce", key, nil, "another-nonce", false},
		{"no nonce", key, func(c jwt.MapClaims) { delete(c, "nonce") }, nonce, false},
		{"wrong signature", other, nil, nonce, false},
		{"expired", key, func(c jwt.MapClaims) {
			c["exp"], c["iat"] = time.Now().Add(-time.Minute).Unix(), time.Now().Add(-10*time.Minute).Unix()
		}, nonce, false},
		{"names nobody", key, func(c jwt.MapClaims) { delete(c, "preferred_username"); delete(c, "email") }, nonce, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			swap := &tokenSwap{idToken: token(tc.signer, tc.edit)}
			realm := &embed.Realm{PublicURL: "http://127.0.0.1:1", HTTPClient: &http.Client{Transport: swap}}
			id, err := realm.Exchange(context.Background(), tn, "code", verifier, tc.nonce)
			if tc.ok {
				if err != nil || id.Username != "eva" || id.Email != "eva@example.nl" || len(id.Roles) != 1 || id.Roles[0] != "Teamleider" {
					t.Fatalf("a valid ID token: %+v, %v", id, err)
				}
				return
			}
			if recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
				t.Errorf("err = %v, want EFORBIDDEN", err)
			}
		})
	}
	// A malformed exchange is refused before the realm is asked.
	realm := &embed.Realm{PublicURL: "http://127.0.0.1:1", HTTPClient: &http.Client{Transport: &tokenSwap{idToken: token(key, nil)}}}
	for _, bad := range []struct{ code, verifier, nonce string }{{"", verifier, nonce}, {"c", "short", nonce}, {"c", verifier, ""}} {
		if _, err := realm.Exchange(context.Background(), tn, bad.code, bad.verifier, bad.nonce); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
			t.Errorf("exchange %+v: %v, want EFORBIDDEN", bad, err)
		}
	}
	// A tenant without a sign-in client cannot start one.
	none := *tn
	none.Embed.SignInClientID = ""
	if _, err := realm.Start(context.Background(), &none); recrubo.ErrorCode(err) != recrubo.EUNAVAILABLE {
		t.Errorf("start without a sign-in client: %v, want EUNAVAILABLE", err)
	}
}
