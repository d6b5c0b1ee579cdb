package whatsapp_test

import (
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// BenchmarkVerifyAndParse measures what the webhook handler does per
// request: verify the signature, then parse a typical payload.
func BenchmarkVerifyAndParse(b *testing.B) {
	for _, name := range []string{"statuses.json", "text_message.json"} {
		body := readFixture(b, name)
		header := whatsapp.Sign(testAppSecret, body)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := whatsapp.VerifySignature(testAppSecret, body, header); err != nil {
					b.Fatal(err)
				}
				if _, err := whatsapp.ParseWebhook(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
