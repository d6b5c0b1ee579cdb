package whatsapp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// referenceSignature computes the header independently of the package.
func referenceSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func TestSignMatchesKnownVector(t *testing.T) {
	// HMAC-SHA256("secret", "test"), a published test vector.
	const want = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
	if got := whatsapp.Sign("secret", []byte("test")); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	const secret = "app-secret"
	body := readFixture(t, "statuses.json")
	good := referenceSignature(secret, body)
	hexPart := strings.TrimPrefix(good, "sha256=")
	flipped := []byte(hexPart)
	if flipped[10] == 'a' {
		flipped[10] = 'b'
	} else {
		flipped[10] = 'a'
	}
	tests := []struct {
		name   string
		secret string
		body   []byte
		header string
		ok     bool
	}{
		{"Valid", secret, body, good, true},
		{"ValidUppercaseHex", secret, body, "sha256=" + strings.ToUpper(hexPart), true},
		{"WrongSecret", "other-secret", body, good, false},
		{"BodyChanged", secret, append([]byte(" "), body...), good, false},
		{"OneDigitChanged", secret, body, "sha256=" + string(flipped), false},
		{"Missing", secret, body, "", false},
		{"NoPrefix", secret, body, hexPart, false},
		{"Sha1Prefix", secret, body, "sha1=" + hexPart, false},
		{"UppercasePrefix", secret, body, "SHA256=" + hexPart, false},
		{"Truncated", secret, body, good[:len(good)-2], false},
		{"TooLong", secret, body, good + "00", false},
		{"NotHex", secret, body, "sha256=" + strings.Repeat("zz", 32), false},
		{"EmptySecret", "", body, referenceSignature("", body), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := whatsapp.VerifySignature(tc.secret, tc.body, tc.header)
			if tc.ok && err != nil {
				t.Fatalf("VerifySignature: %v", err)
			}
			if !tc.ok && !errors.Is(err, whatsapp.ErrInvalidSignature) {
				t.Fatalf("VerifySignature err = %v, want ErrInvalidSignature", err)
			}
		})
	}
}

func TestVerifyHandshake(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	tests := []struct {
		name  string
		query url.Values
		token string
		want  string
	}{
		{"OK", q("subscribe", "tok", "1158201444"), "tok", "1158201444"},
		{"WrongToken", q("subscribe", "nope", "1158201444"), "tok", ""},
		{"TokenPrefix", q("subscribe", "to", "1158201444"), "tok", ""},
		{"WrongMode", q("unsubscribe", "tok", "1158201444"), "tok", ""},
		{"NoMode", q("", "tok", "1158201444"), "tok", ""},
		{"NoChallenge", q("subscribe", "tok", ""), "tok", ""},
		{"ScriptChallenge", q("subscribe", "tok", "<script>"), "tok", ""},
		{"LongChallenge", q("subscribe", "tok", strings.Repeat("1", 257)), "tok", ""},
		{"NoConfiguredToken", q("subscribe", "", "1158201444"), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := whatsapp.VerifyHandshake(tc.query, tc.token)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("VerifyHandshake = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, whatsapp.ErrHandshakeRejected) || got != "" {
				t.Fatalf("VerifyHandshake = %q, %v; want ErrHandshakeRejected", got, err)
			}
		})
	}
}
