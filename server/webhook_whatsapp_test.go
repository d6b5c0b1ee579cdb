package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// whatsAppEnvs starts the conversations stack on every backend with its
// jobs stopped, so what a request stored stays as it was stored.
func whatsAppEnvs(t *testing.T, fn func(t *testing.T, e *messagingtest.Env)) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, messagingtest.New(t, backend, messagingtest.Options{NoJobs: true, WebhookBodyLimit: 4096}))
		})
	}
}

func postWebhook(t *testing.T, target string, body []byte, signature string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if signature != "" {
		req.Header.Set(whatsapp.SignatureHeader, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const inboundBody = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
 "messaging_product":"whatsapp","metadata":{"display_phone_number":"31200000000","phone_number_id":"1234567890"},
 "contacts":[{"wa_id":"31612345678","profile":{"name":"Eva"}}],
 "messages":[{"id":"wamid.in1","from":"31612345678","timestamp":"1767225600","type":"text","text":{"body":"Hoi"}}],
 "statuses":[{"id":"wamid.out1","status":"delivered","timestamp":"1767225601","recipient_id":"31612345678"}]}}]}]}`

func countEvents(t *testing.T, e *messagingtest.Env) int64 {
	t.Helper()
	n, err := e.DB.CountEvents(context.Background(), e.Tenant.ID, recrubo.SourceWhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWhatsAppWebhookStoresSignedDeliveriesOnce(t *testing.T) {
	whatsAppEnvs(t, func(t *testing.T, e *messagingtest.Env) {
		body := []byte(inboundBody)
		sig := whatsapp.Sign(messagingtest.AppSecret, body)
		code, answer := postWebhook(t, e.WebhookURL, body, sig)
		if code != http.StatusOK || !strings.Contains(answer, `"accepted":2`) {
			t.Fatalf("first delivery = %d %s", code, answer)
		}
		code, answer = postWebhook(t, e.WebhookURL, body, sig)
		if code != http.StatusOK || !strings.Contains(answer, `"accepted":0`) {
			t.Fatalf("redelivery = %d %s", code, answer)
		}
		if n := countEvents(t, e); n != 2 {
			t.Fatalf("%d events stored, want 2", n)
		}
		ev, err := e.DB.Event(context.Background(), e.Tenant.ID, recrubo.SourceWhatsApp, "message:wamid.in1")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ev.Payload, body) || ev.Type != "message" {
			t.Errorf("stored event = %s %q", ev.Type, ev.Payload)
		}
	})
}

func TestWhatsAppWebhookRefusesWithNothingStored(t *testing.T) {
	whatsAppEnvs(t, func(t *testing.T, e *messagingtest.Env) {
		body := []byte(inboundBody)
		good := whatsapp.Sign(messagingtest.AppSecret, body)
		other := messagingtest.NewTenant("other", e.Emu.URL())
		other.WhatsApp.AppSecret = recrubo.NewSecret("another-app-secret")
		if err := e.DB.CreateTenant(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		tampered := bytes.Replace(body, []byte("Hoi"), []byte("Hai"), 1)
		malformed := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":""}]}}]}]}`)
		notJSON := []byte(`{"object":`)
		big := append([]byte(`{"object":"whatsapp_business_account","pad":"`), bytes.Repeat([]byte("x"), 5000)...)
		big = append(big, `"}`...)
		for _, tc := range []struct {
			name   string
			target string
			body   []byte
			sig    string
			want   int
		}{
			{"no signature", e.WebhookURL, body, "", http.StatusUnauthorized},
			{"wrong secret", e.WebhookURL, body, whatsapp.Sign("wrong", body), http.StatusUnauthorized},
			{"tampered body", e.WebhookURL, tampered, good, http.StatusUnauthorized},
			{"not hex", e.WebhookURL, body, "sha256=" + strings.Repeat("zz", 32), http.StatusUnauthorized},
			{"another tenant's secret", e.URL + "/webhooks/whatsapp/other", body, good, http.StatusUnauthorized},
			{"unknown tenant", e.URL + "/webhooks/whatsapp/nobody", body, good, http.StatusNotFound},
			{"malformed", e.WebhookURL, malformed, whatsapp.Sign(messagingtest.AppSecret, malformed), http.StatusBadRequest},
			{"not JSON", e.WebhookURL, notJSON, whatsapp.Sign(messagingtest.AppSecret, notJSON), http.StatusBadRequest},
			// The signature is checked before anything is parsed: a body
			// that would not parse is refused as unsigned, not as invalid.
			{"malformed, wrong signature", e.WebhookURL, malformed, whatsapp.Sign("wrong", malformed), http.StatusUnauthorized},
			{"not JSON, no signature", e.WebhookURL, notJSON, "", http.StatusUnauthorized},
			{"other object, no signature", e.WebhookURL, []byte(`{"object":"page"}`), "", http.StatusUnauthorized},
			{"too large", e.WebhookURL, big, whatsapp.Sign(messagingtest.AppSecret, big), http.StatusRequestEntityTooLarge},
		} {
			code, answer := postWebhook(t, tc.target, tc.body, tc.sig)
			if code != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, code, answer, tc.want)
			}
		}
		if n := countEvents(t, e); n != 0 {
			t.Fatalf("%d events stored from refused deliveries", n)
		}
	})
}

func TestWhatsAppHandshake(t *testing.T) {
	whatsAppEnvs(t, func(t *testing.T, e *messagingtest.Env) {
		get := func(q url.Values) (int, string) {
			resp, err := http.Get(e.WebhookURL + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {messagingtest.VerifyToken}, "hub.challenge": {"1158201444"}}
		if code, body := get(q); code != http.StatusOK || body != "1158201444" {
			t.Fatalf("handshake = %d %q", code, body)
		}
		q.Set("hub.verify_token", "wrong")
		if code, body := get(q); code != http.StatusForbidden || strings.Contains(body, "1158201444") {
			t.Fatalf("wrong token = %d %q", code, body)
		}
		q.Set("hub.verify_token", messagingtest.VerifyToken)
		q.Set("hub.mode", "unsubscribe")
		if code, _ := get(q); code != http.StatusForbidden {
			t.Fatalf("wrong mode = %d", code)
		}
		// The emulator subscribes the way Meta does.
		if err := e.Emu.Subscribe(context.Background()); err != nil {
			t.Fatalf("emulator subscription: %v", err)
		}
	})
}
