package carerix_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix"
)

// testKey returns a small RSA key; 1024 bits keeps the test fast and is
// enough to exercise the verification path.
func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, k *rsa.PrivateKey, body []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func pkixPEM(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestVerifySignature(t *testing.T) {
	key := testKey(t)
	other := testKey(t)
	body := []byte(samplePayload)
	sig := sign(t, key, body)
	pkix := pkixPEM(t, &key.PublicKey)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)}))
	bare := strings.Join(strings.Split(strings.TrimSpace(pkix), "\n")[1:len(strings.Split(strings.TrimSpace(pkix), "\n"))-1], "")

	t.Run("Valid", func(t *testing.T) {
		for name, pub := range map[string]string{"pkix": pkix, "pkcs1": pkcs1, "bare base64 der": bare} {
			for enc, header := range map[string]string{
				"std":     base64.StdEncoding.EncodeToString(sig),
				"raw url": base64.RawURLEncoding.EncodeToString(sig),
			} {
				if err := carerix.VerifySignature(pub, body, header); err != nil {
					t.Errorf("%s key, %s header: %v", name, enc, err)
				}
			}
		}
	})
	header := base64.StdEncoding.EncodeToString(sig)
	t.Run("Invalid", func(t *testing.T) {
		tampered := append([]byte(nil), body...)
		tampered[10] ^= 1
		cases := map[string]struct {
			pub    string
			body   []byte
			header string
		}{
			"tampered body": {pkix, tampered, header},
			"other key":     {pkixPEM(t, &other.PublicKey), body, header},
			"missing":       {pkix, body, ""},
			"not base64":    {pkix, body, "***"},
			"truncated":     {pkix, body, header[:20]},
			"other body sig": {pkix, body,
				base64.StdEncoding.EncodeToString(sign(t, key, []byte("{}")))},
		}
		for name, tc := range cases {
			err := carerix.VerifySignature(tc.pub, tc.body, tc.header)
			if !errors.Is(err, carerix.ErrBadSignature) {
				t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
			}
		}
	})
	t.Run("BadKey", func(t *testing.T) {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for name, pub := range map[string]string{
			"empty":       "",
			"garbage":     "not a key",
			"cert block":  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
			"ecdsa key":   pkixPEM(t, &ec.PublicKey),
			"corrupt pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		} {
			if _, err := carerix.NewRSAVerifier(pub); err == nil {
				t.Errorf("%s: NewRSAVerifier accepted it", name)
			}
		}
	})
	t.Run("Interface", func(t *testing.T) {
		var v carerix.SignatureVerifier
		v, err := carerix.NewRSAVerifier(pkix)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(body, header); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}
