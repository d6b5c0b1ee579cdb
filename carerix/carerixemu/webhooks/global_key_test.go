package webhooks_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// TestGlobalSignatureKeySignsEveryApplication: with a global key,
// applications carry no signatureVerification and deliveries of every
// application verify with the key of GET /webhooks/v1/signature-key.
func TestGlobalSignatureKeySignsEveryApplication(t *testing.T) {
	first, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	second, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := webhooks.NewKeyPool(first, second)
	if err != nil {
		t.Fatal(err)
	}
	svc, api := newService(t, webhooks.Options{GlobalSignatureKey: true, Keys: pool})
	var receivers []*receiver
	for _, name := range []string{"one", "two"} {
		app := createApp(t, api, name)
		var raw map[string]json.RawMessage
		if code := call(t, api, "GET", "/webhooks/v1/applications/"+app.ID, nil, &raw); code != http.StatusOK ||
			string(raw["signatureVerification"]) != "null" {
			t.Errorf("application %s: signatureVerification = %s", name, raw["signatureVerification"])
		}
		rc := newReceiver(t, nil)
		createHook(t, api, app.ID, rc.URL, "cremployee:updated")
		receivers = append(receivers, rc)

		var perApp webhooks.SignatureKey
		if code := call(t, api, "GET", "/webhooks/v1/applications/"+app.ID+"/signature-key", nil, &perApp); code != http.StatusOK || perApp.PublicKey == "" {
			t.Errorf("per-application key route: %d %+v", code, perApp)
		}
	}
	var key webhooks.SignatureKey
	if code := call(t, api, "GET", "/webhooks/v1/signature-key", nil, &key); code != http.StatusOK || key.Algorithm != webhooks.AlgorithmRSASHA256 {
		t.Fatalf("global key: %d %+v", code, key)
	}
	direct, err := svc.SignatureKey(t.Context())
	if err != nil || direct != key {
		t.Errorf("SignatureKey() = %+v, %v; route served %+v", direct, err, key)
	}
	svc.Publish(t.Context(), updated("7"))
	waitIdle(t, svc)
	for i, rc := range receivers {
		got := rc.requests()
		if len(got) != 1 {
			t.Fatalf("receiver %d got %d deliveries", i, len(got))
		}
		if err := webhooks.VerifySignature([]byte(key.PublicKey), got[0].body, got[0].header.Get("Cx-Signature")); err != nil {
			t.Errorf("receiver %d: %v", i, err)
		}
	}
}

func TestNoGlobalSignatureKeyByDefault(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	var e apiErr
	if code := call(t, api, "GET", "/webhooks/v1/signature-key", nil, &e); code != http.StatusNotFound {
		t.Errorf("global key route: %d %+v", code, e)
	}
	if _, err := svc.SignatureKey(t.Context()); err == nil {
		t.Error("SignatureKey without a global key")
	}
	if app := createApp(t, api, "own"); app.SignatureVerification.PublicKey == "" {
		t.Error("application without its key")
	}
}

// TestBroadcastIgnoresFilters sends an event no filter names to every
// enabled webhook, spelt as given.
func TestBroadcastIgnoresFilters(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	app := createApp(t, api, "all")
	on, off := newReceiver(t, nil), newReceiver(t, nil)
	createHook(t, api, app.ID, on.URL, "cremployee:updated")
	offHook := createHook(t, api, app.ID, off.URL, "cremployee:updated")
	if code := call(t, api, "POST", "/webhooks/v1/applications/"+app.ID+"/webhooks/"+offHook.ID+"/disable", nil, nil); code != http.StatusOK {
		t.Fatalf("disable: %d", code)
	}
	svc.Broadcast(t.Context(), "CRContact:Created", webhooks.Event{Entity: "ignored", EntityID: "c9"})
	svc.Publish(t.Context(), webhooks.Event{Entity: "CRContact", Action: "created", EntityID: "c10"})
	waitIdle(t, svc)
	got := on.requests()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	if p := got[0].payload(t); p.Type != "CRContact:Created" || p.Data.EntityID != "c9" {
		t.Errorf("payload = %+v", p)
	}
	if n := len(off.requests()); n != 0 {
		t.Errorf("a disabled webhook got %d deliveries", n)
	}
}

func TestEventTypeKeepsTheEntitySpelling(t *testing.T) {
	for _, tc := range []struct {
		ev   webhooks.Event
		want string
	}{
		{webhooks.Event{Entity: "cremployee", Action: "updated"}, "cremployee:updated"},
		{webhooks.Event{Entity: "CREmployee", Action: "Updated"}, "CREmployee:updated"},
		{webhooks.Event{Entity: "CRTodo", Action: "created"}, "CRTodo:created"},
	} {
		if got := tc.ev.Type(); got != tc.want {
			t.Errorf("%+v: Type() = %q, want %q", tc.ev, got, tc.want)
		}
	}
}
