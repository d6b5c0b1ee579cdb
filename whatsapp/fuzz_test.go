package whatsapp_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// FuzzParseWebhook checks that ParseWebhook never panics and that whatever
// it accepts satisfies the documented guarantees.
func FuzzParseWebhook(f *testing.F) {
	for _, name := range []string{"statuses.json", "text_message.json", "media_messages.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"statuses":[{"id":"x","status":"sent","timestamp":1750263773}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":null}]}]}`))
	f.Add([]byte(`{"object":"page"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := whatsapp.ParseWebhook(body)
		if err != nil {
			if len(n.Messages)+len(n.Statuses)+len(n.Errors) != 0 {
				t.Fatalf("error %v returned items", err)
			}
			return
		}
		for _, m := range n.Messages {
			if m.ID == "" || m.From == "" || m.Type == "" || m.PhoneNumberID == "" || m.BusinessAccountID == "" || m.Timestamp.IsZero() {
				t.Fatalf("accepted incomplete message %+v", m)
			}
			if m.Summary() == "" && m.Type != "text" {
				t.Fatalf("placeholder for %q is empty", m.Type)
			}
		}
		for _, s := range n.Statuses {
			if s.MessageID == "" || s.Status == "" || s.PhoneNumberID == "" || s.Timestamp.IsZero() {
				t.Fatalf("accepted incomplete status %+v", s)
			}
		}
	})
}

// FuzzVerifySignature checks that VerifySignature never panics and accepts
// a header exactly when it is the correct signature of the body.
func FuzzVerifySignature(f *testing.F) {
	body := []byte(`{"object":"whatsapp_business_account"}`)
	f.Add("secret", body, whatsapp.Sign("secret", body))
	f.Add("secret", body, strings.ToUpper(whatsapp.Sign("secret", body)))
	f.Add("secret", body, "sha256=")
	f.Add("secret", body, "sha256="+strings.Repeat("g", 64))
	f.Add("", body, whatsapp.Sign("", body))
	f.Add("secret", []byte{}, "sha1=abc")
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		err := whatsapp.VerifySignature(secret, body, header)
		want := whatsapp.Sign(secret, body)
		valid := secret != "" && strings.HasPrefix(header, "sha256=") && len(header) == len(want) &&
			equalHex(header[len("sha256="):], want[len("sha256="):])
		if (err == nil) != valid {
			t.Fatalf("VerifySignature(%q, %q, %q) = %v, want valid=%v", secret, body, header, err, valid)
		}
	})
}

// equalHex compares two hex strings as bytes, so upper and lower case match.
func equalHex(a, b string) bool {
	x, errA := hex.DecodeString(a)
	y, errB := hex.DecodeString(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}
