package webhooks_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

func TestVerifySignature(t *testing.T) {
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := webhooks.PublicKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"1"}`)
	sig, err := webhooks.RSASHA256Signer{}.Sign(key, body)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM, err := webhooks.PublicKeyPEM(small)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pub     []byte
		body    []byte
		sig     string
		wantErr string
	}{
		{"PKIX", []byte(pubPEM), body, sig, ""},
		{"PKCS1", pkcs1, body, sig, ""},
		{"OtherBody", []byte(pubPEM), []byte(`{"id":"2"}`), sig, "verification error"},
		{"OtherKey", []byte(otherPEM), body, sig, "verification error"},
		{"NotBase64", []byte(pubPEM), body, "%%%", "decoding base64"},
		{"NoPEM", []byte("not a key"), body, sig, "no PEM block"},
		{"WrongBlock", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), body, sig, "unexpected PEM block"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhooks.VerifySignature(tc.pub, tc.body, tc.sig)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestGeneratedKeysArePerApplication(t *testing.T) {
	svc, err := webhooks.New(webhooks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateApplication(t.Context(), "one")
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateApplication(t.Context(), "two")
	if err != nil {
		t.Fatal(err)
	}
	if a.PublicKeyPEM == b.PublicKeyPEM {
		t.Error("two applications share a generated key")
	}
	block, _ := pem.Decode([]byte(a.PublicKeyPEM))
	if block == nil {
		t.Fatal("public key is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if rk, ok := pub.(*rsa.PublicKey); !ok || rk.N.BitLen() != webhooks.KeyBits {
		t.Errorf("public key %T is not RSA-%d", pub, webhooks.KeyBits)
	}
}

func TestKeyPoolRoundRobin(t *testing.T) {
	if _, err := webhooks.NewKeyPool(); err == nil {
		t.Error("empty pool accepted")
	}
	k1, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := webhooks.NewKeyPool(k1, k2)
	if err != nil {
		t.Fatal(err)
	}
	var got []*rsa.PrivateKey
	for range 3 {
		k, err := pool.Key(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if got[0] != k1 || got[1] != k2 || got[2] != k1 {
		t.Error("pool does not hand out keys round-robin")
	}
}

func TestDefaultBackoffGrowsWithinBounds(t *testing.T) {
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 800 * time.Millisecond, 1200 * time.Millisecond},
		{3, 3200 * time.Millisecond, 4800 * time.Millisecond},
		{40, 4 * time.Minute, 6 * time.Minute},
	} {
		for range 20 {
			if d := webhooks.DefaultBackoff(tc.attempt); d < tc.min || d > tc.max {
				t.Errorf("DefaultBackoff(%d) = %v, want within [%v, %v]", tc.attempt, d, tc.min, tc.max)
			}
		}
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, opts := range []webhooks.Options{
		{MaxAttempts: -1},
		{Workers: -2},
		{HealthThreshold: 1.5},
		{MaxFilters: -1},
		{Timeout: -time.Second},
	} {
		if _, err := webhooks.New(opts); err == nil {
			t.Errorf("New(%+v) accepted invalid options", opts)
		}
	}
}
