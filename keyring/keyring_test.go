package keyring_test

import (
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/keyring"
)

func mustParse(t *testing.T, s string) *keyring.Keyring {
	t.Helper()
	k, err := keyring.Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	mk, err := keyring.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	k := mustParse(t, mk)
	for _, plain := range []string{"s3cret", "é ☃ 🎉", strings.Repeat("x", 10000)} {
		sealed, err := k.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, plain) {
			t.Fatalf("sealed value contains the plaintext")
		}
		if !strings.HasPrefix(sealed, "v1:k1:") {
			t.Fatalf("sealed value %q does not name its key", sealed[:10])
		}
		got, err := k.Open(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if got != plain {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
	a, _ := k.Seal("same")
	b, _ := k.Seal("same")
	if a == b {
		t.Fatal("two seals of the same plaintext are equal: nonce reuse")
	}
}

func TestRotation(t *testing.T) {
	old, _ := keyring.GenerateKey("old")
	nw, _ := keyring.GenerateKey("new")
	k1 := mustParse(t, old)
	sealed, err := k1.Seal("value")
	if err != nil {
		t.Fatal(err)
	}
	k2 := mustParse(t, nw+","+old)
	if got, err := k2.Open(sealed); err != nil || got != "value" {
		t.Fatalf("Open after rotation = %q, %v", got, err)
	}
	if !k2.NeedsRotation(sealed) {
		t.Fatal("value sealed with the old key should need rotation")
	}
	resealed, _ := k2.Seal("value")
	if k2.NeedsRotation(resealed) || !strings.HasPrefix(resealed, "v1:new:") {
		t.Fatalf("resealed value %q not under the new primary", resealed[:12])
	}
	k3 := mustParse(t, nw)
	if _, err := k3.Open(sealed); err == nil || !strings.Contains(err.Error(), `"old"`) {
		t.Fatalf("Open without the old key: err = %v, want one naming key \"old\"", err)
	}
}

func TestTamperingDetected(t *testing.T) {
	mk, _ := keyring.GenerateKey("k1")
	k := mustParse(t, mk)
	sealed, _ := k.Seal("value")
	b := []byte(sealed)
	b[len(b)-3] ^= 0x01
	if _, err := k.Open(string(b)); err == nil {
		t.Fatal("Open of a tampered value succeeded")
	}
	// Relabelling to another key id that exists must fail too (the id is authenticated).
	other, _ := keyring.GenerateKey("k2")
	both := mustParse(t, mk+","+other)
	relabelled := strings.Replace(sealed, "v1:k1:", "v1:k2:", 1)
	if _, err := both.Open(relabelled); err == nil {
		t.Fatal("Open of a relabelled value succeeded")
	}
	for _, bad := range []string{"garbage", "v1:k1:!!!", "v2:k1:AAAA", "v1:k1:AAAA"} {
		if _, err := k.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty master key"},
		{"nokey", "is not <id>:<base64 key>"},
		{"k1:not-base64!!", "not base64"},
		{"k1:AAAA", "want 32"},
		{"bad id:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "key id"},
	}
	for _, tt := range tests {
		_, err := keyring.Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to mention %q", tt.in, err, tt.want)
		}
	}
	mk, _ := keyring.GenerateKey("k1")
	if _, err := keyring.Parse(mk + "," + mk); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate id: err = %v", err)
	}
	// Key material never appears in errors.
	secretPart := strings.SplitN(mk, ":", 2)[1]
	_, err := keyring.Parse("k1:" + secretPart[:20])
	if err == nil || strings.Contains(err.Error(), secretPart[:20]) {
		t.Errorf("error %v leaks key material", err)
	}
}

func TestEmptyStaysEmpty(t *testing.T) {
	mk, _ := keyring.GenerateKey("k1")
	k := mustParse(t, mk)
	if s, err := k.Seal(""); err != nil || s != "" {
		t.Fatalf("Seal(\"\") = %q, %v", s, err)
	}
	if s, err := k.Open(""); err != nil || s != "" {
		t.Fatalf("Open(\"\") = %q, %v", s, err)
	}
}
