package webhooks_test

import (
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// BenchmarkPublishAndDeliver measures one event from Publish to a recorded
// successful delivery over loopback HTTP.
func BenchmarkPublishAndDeliver(b *testing.B) {
	svc, api := newService(b, webhooks.Options{})
	rc := newReceiver(b, nil)
	app := createApp(b, api, "bench")
	createHook(b, api, app.ID, rc.URL, "cremployee:updated")
	ev := updated("1")
	for b.Loop() {
		svc.Publish(b.Context(), ev)
		if err := svc.WaitIdle(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign measures the default Cx-Signature computation.
func BenchmarkSign(b *testing.B) {
	key, err := testKey()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"id":"8469bf71-0000-0000-0000-000000000000","time":"2024-02-14T14:24:40Z","type":"crmatch:updated"}`)
	for b.Loop() {
		if _, err := (webhooks.RSASHA256Signer{}).Sign(key, body); err != nil {
			b.Fatal(err)
		}
	}
}
