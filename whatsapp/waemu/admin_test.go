package waemu_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestAdminEndpoints(t *testing.T) {
	h := newHook(t, nil)
	emu := waemu.NewTestServer(t, baseOptions(h.srv.URL))
	admin := emu.URL() + "/_emulator"
	send := emu.URL() + "/v21.0/" + phoneID + "/messages"

	// Register templates, one invalid.
	tpl := map[string]any{"name": "interview_invite", "language": "nl", "category": "utility", "status": "approved", "body": "Hoi {{1}}"}
	if got := postJSON(t, admin+"/templates", "", tpl); got.status != http.StatusNoContent {
		t.Fatalf("register template: HTTP %d %v", got.status, got.body)
	}
	bad := map[string]any{"name": "x", "language": "nl", "category": "PROMO", "status": "APPROVED", "body": "x"}
	if got := postJSON(t, admin+"/templates", "", bad); got.status != http.StatusBadRequest {
		t.Errorf("invalid template: HTTP %d, want 400", got.status)
	}
	var templates []waemu.Template
	getJSON(t, admin+"/templates", &templates)
	if len(templates) != 1 || templates[0].Category != "UTILITY" || templates[0].Status != "APPROVED" {
		t.Errorf("templates = %+v", templates)
	}

	// A candidate writes in through the admin endpoint.
	got := postJSON(t, admin+"/inbound", "", map[string]any{"from": "+" + candidate, "profile_name": "Sanne", "text": "Hallo"})
	if got.status != http.StatusCreated {
		t.Fatalf("inbound: HTTP %d %v", got.status, got.body)
	}
	inboundID, _ := got.body["id"].(string)
	if got := postJSON(t, admin+"/inbound", "", map[string]any{"from": "nope", "text": "x"}); got.status != http.StatusBadRequest {
		t.Errorf("bad inbound: HTTP %d, want 400", got.status)
	}
	var inbound []waemu.InboundRecord
	getJSON(t, admin+"/inbound", &inbound)
	if len(inbound) != 1 || inbound[0].ID != inboundID || inbound[0].ProfileName != "Sanne" {
		t.Errorf("inbound = %+v", inbound)
	}

	// Sends show up in the message list, filtered by recipient.
	for _, to := range []string{candidate, "31687654321"} {
		if got := postJSON(t, send, token, textBody(to, "Hoi")); got.status != http.StatusOK {
			t.Fatalf("send: HTTP %d", got.status)
		}
	}
	var all, filtered []waemu.SentMessage
	getJSON(t, admin+"/messages", &all)
	getJSON(t, admin+"/messages?to=%2B"+candidate, &filtered)
	if len(all) != 2 || len(filtered) != 1 || filtered[0].To != candidate {
		t.Errorf("messages all=%d filtered=%+v", len(all), filtered)
	}
	if all[1].ErrorCode != 131047 || len(all[1].Statuses) != 1 || all[1].Statuses[0] != "failed" {
		t.Errorf("message outside window = %+v", all[1])
	}

	// A fault makes the next send fail, once.
	fault := map[string]any{"http_status": 429, "code": 130429}
	if got := postJSON(t, admin+"/faults", "", fault); got.status != http.StatusNoContent {
		t.Fatalf("fault: HTTP %d", got.status)
	}
	if got := postJSON(t, send, token, textBody(candidate, "Hoi")); got.status != 429 || got.code() != 130429 {
		t.Errorf("faulted send: HTTP %d code %d", got.status, got.code())
	}
	if got := postJSON(t, send, token, textBody(candidate, "Hoi")); got.status != http.StatusOK {
		t.Errorf("send after fault: HTTP %d", got.status)
	}
	if got := postJSON(t, admin+"/faults", "", map[string]any{"http_status": 200, "code": 1}); got.status != http.StatusBadRequest {
		t.Errorf("non-error fault: HTTP %d, want 400", got.status)
	}

	// Mark the inbound message read through the Cloud API.
	markRead := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": inboundID}
	if got := postJSON(t, send, token, markRead); got.status != http.StatusOK || got.body["success"] != true {
		t.Errorf("mark read: HTTP %d %v", got.status, got.body)
	}

	waitIdle(t, emu)
	var deliveries []waemu.Delivery
	getJSON(t, admin+"/deliveries", &deliveries)
	// inbound, 3 statuses inside the window, 1 failed outside it, 3 statuses after the fault.
	if len(deliveries) != 8 {
		t.Errorf("got %d deliveries, want 8", len(deliveries))
	}
	for _, d := range deliveries {
		if d.Outcome != waemu.OutcomeDelivered || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 {
			t.Errorf("delivery %+v", d)
		}
	}

	// Subscribe runs the handshake against the hook, which answers 200 with
	// an empty body, so verification must fail.
	if got := postJSON(t, admin+"/subscribe", "", map[string]any{}); got.status != http.StatusBadGateway {
		t.Errorf("subscribe against a receiver that does not echo: HTTP %d, want 502", got.status)
	}
}

// TestSubscribeTakesTheDashboardsWebhook enters a callback URL and verify
// token as an admin does in Meta's dashboard: the handshake runs against
// them, and webhooks go to the new URL from then on.
func TestSubscribeTakesTheDashboardsWebhook(t *testing.T) {
	var mu sync.Mutex
	posts := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			posts++
			mu.Unlock()
			return
		}
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "tok-1" {
			http.Error(w, "wrong token", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	}))
	defer receiver.Close()
	emu := waemu.NewTestServer(t, baseOptions(""))
	admin := emu.URL() + "/_emulator"

	for _, bad := range []map[string]any{{"callback_url": "not a url"}, {"callback_url": "ftp://x/y"}, {"callback": receiver.URL}} {
		if got := postJSON(t, admin+"/subscribe", "", bad); got.status != http.StatusBadRequest {
			t.Errorf("subscribe %v: HTTP %d, want 400", bad, got.status)
		}
	}
	if got := postJSON(t, admin+"/subscribe", "", map[string]any{"callback_url": receiver.URL, "verify_token": "tok-2"}); got.status != http.StatusBadGateway {
		t.Errorf("subscribe with a token the receiver refuses: HTTP %d, want 502", got.status)
	}
	if got := postJSON(t, admin+"/subscribe", "", map[string]any{"verify_token": "tok-1"}); got.status != http.StatusNoContent {
		t.Fatalf("subscribe with the right token (URL kept from before): HTTP %d %v", got.status, got.body)
	}
	if got := postJSON(t, admin+"/inbound", "", map[string]any{"from": "+" + candidate, "text": "Hallo"}); got.status != http.StatusCreated {
		t.Fatalf("inbound: HTTP %d %v", got.status, got.body)
	}
	waitIdle(t, emu)
	mu.Lock()
	defer mu.Unlock()
	if posts != 1 {
		t.Errorf("the receiver got %d webhooks, want 1", posts)
	}
}
