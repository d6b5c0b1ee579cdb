package waemu_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestSendValidation(t *testing.T) {
	h := newHook(t, nil)
	opts := baseOptions(h.srv.URL)
	opts.AccessTokens["106540352242999"] = "EAAG-other-token"
	emu := waemu.NewTestServer(t, opts)
	endpoint := emu.URL() + "/v21.0/" + phoneID + "/messages"

	tests := []struct {
		name    string
		url     string
		bearer  string
		body    any
		status  int
		code    int
		subcode int
		errType string
	}{
		{"NoToken", endpoint, "", textBody(candidate, "x"), 401, 190, 0, "OAuthException"},
		{"WrongToken", endpoint, "EAAG-wrong", textBody(candidate, "x"), 401, 190, 0, "OAuthException"},
		{"OtherNumbersToken", endpoint, "EAAG-other-token", textBody(candidate, "x"), 400, 100, 33, "GraphMethodException"},
		{"UnknownPhoneNumberID", emu.URL() + "/v21.0/999/messages", token, textBody(candidate, "x"), 400, 100, 33, "GraphMethodException"},
		{"BadVersion", emu.URL() + "/latest/" + phoneID + "/messages", token, textBody(candidate, "x"), 400, 2500, 0, "OAuthException"},
		{"NotJSON", endpoint, token, "{to:", 400, 100, 0, "OAuthException"},
		{"NoMessagingProduct", endpoint, token, map[string]any{"to": candidate, "type": "text", "text": map[string]any{"body": "x"}}, 400, 100, 0, "OAuthException"},
		{"OtherMessagingProduct", endpoint, token, map[string]any{"messaging_product": "sms", "to": candidate, "text": map[string]any{"body": "x"}}, 400, 100, 0, "OAuthException"},
		{"NoRecipient", endpoint, token, textBody("", "x"), 400, 131008, 0, "OAuthException"},
		{"MalformedRecipient", endpoint, token, textBody("3161234abcd", "x"), 400, 100, 0, "OAuthException"},
		{"ShortRecipient", endpoint, token, textBody("31612", "x"), 400, 100, 0, "OAuthException"},
		{"GroupRecipient", endpoint, token, map[string]any{"messaging_product": "whatsapp", "recipient_type": "group", "to": candidate, "text": map[string]any{"body": "x"}}, 400, 100, 0, "OAuthException"},
		{"UnsupportedType", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "type": "sticker", "sticker": map[string]any{"id": "1"}}, 400, 100, 0, "OAuthException"},
		{"UnknownMedia", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "type": "image", "image": map[string]any{"id": "1"}}, 400, 131053, 0, "OAuthException"},
		{"NoTextBody", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "type": "text"}, 400, 131008, 0, "OAuthException"},
		{"TextTooLong", endpoint, token, textBody(candidate, strings.Repeat("a", 4097)), 400, 100, 0, "OAuthException"},
		{"CallbackTooLong", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "text": map[string]any{"body": "x"}, "biz_opaque_callback_data": strings.Repeat("a", 513)}, 400, 100, 0, "OAuthException"},
		{"TemplateWithoutName", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "type": "template", "template": map[string]any{"language": map[string]any{"code": "nl"}}}, 400, 131008, 0, "OAuthException"},
		{"TemplateWithoutLanguage", endpoint, token, map[string]any{"messaging_product": "whatsapp", "to": candidate, "type": "template", "template": map[string]any{"name": "x"}}, 400, 131008, 0, "OAuthException"},
		{"MarkReadUnknownMessage", endpoint, token, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.unknown"}, 400, 100, 0, "OAuthException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := postJSON(t, tc.url, tc.bearer, tc.body)
			if got.status != tc.status || got.code() != tc.code {
				t.Fatalf("HTTP %d code %d, want HTTP %d code %d; body %v", got.status, got.code(), tc.status, tc.code, got.body)
			}
			if sub, _ := got.errorField("error_subcode").(float64); int(sub) != tc.subcode {
				t.Errorf("error_subcode = %v, want %d", got.errorField("error_subcode"), tc.subcode)
			}
			if got.errorField("type") != tc.errType {
				t.Errorf("type = %v, want %s", got.errorField("type"), tc.errType)
			}
			if msg, _ := got.errorField("message").(string); msg == "" {
				t.Errorf("error has no message")
			}
			if trace, _ := got.errorField("fbtrace_id").(string); trace == "" {
				t.Errorf("error has no fbtrace_id")
			}
		})
	}
	if n := len(emu.SentMessages()); n != 0 {
		t.Errorf("emulator recorded %d refused sends", n)
	}
	waitIdle(t, emu)
	if bodies, _ := h.received(); len(bodies) != 0 {
		t.Errorf("refused sends produced %d webhooks", len(bodies))
	}
}

func TestSendResponseShape(t *testing.T) {
	emu := waemu.NewTestServer(t, baseOptions(""))
	got := postJSON(t, emu.URL()+"/v21.0/"+phoneID+"/messages", token, textBody("+31 6-1234 5678", "Hoi"))
	if got.status != http.StatusOK {
		t.Fatalf("HTTP %d: %v", got.status, got.body)
	}
	if got.body["messaging_product"] != "whatsapp" {
		t.Errorf("messaging_product = %v", got.body["messaging_product"])
	}
	contacts, _ := got.body["contacts"].([]any)
	messages, _ := got.body["messages"].([]any)
	if len(contacts) != 1 || len(messages) != 1 {
		t.Fatalf("contacts %v messages %v", contacts, messages)
	}
	c := contacts[0].(map[string]any)
	if c["input"] != "+31 6-1234 5678" || c["wa_id"] != candidate {
		t.Errorf("contact = %v", c)
	}
	id, _ := messages[0].(map[string]any)["id"].(string)
	if !strings.HasPrefix(id, "wamid.") {
		t.Errorf("message id = %q", id)
	}
	sent := emu.SentMessages()
	if len(sent) != 1 || sent[0].ID != id || sent[0].To != candidate || sent[0].Type != "text" {
		t.Errorf("recorded %+v", sent)
	}
}

func TestTemplateStatusesMapToErrors(t *testing.T) {
	opts := baseOptions("")
	for _, st := range []string{"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"} {
		opts.Templates = append(opts.Templates, waemu.Template{Name: strings.ToLower(st), Language: "nl", Category: "UTILITY", Status: st, Body: "Hoi"})
	}
	emu := waemu.NewTestServer(t, opts)
	want := map[string]struct{ status, code int }{
		"approved": {200, 0},
		"pending":  {404, 132001},
		"rejected": {404, 132001},
		"paused":   {400, 132015},
		"disabled": {400, 132016},
	}
	for name, w := range want {
		got := postJSON(t, emu.URL()+"/v21.0/"+phoneID+"/messages", token, map[string]any{
			"messaging_product": "whatsapp", "to": candidate, "type": "template",
			"template": map[string]any{"name": name, "language": map[string]any{"code": "nl", "policy": "deterministic"}},
		})
		if got.status != w.status || got.code() != w.code {
			t.Errorf("%s: HTTP %d code %d, want HTTP %d code %d", name, got.status, got.code(), w.status, w.code)
		}
	}
}

func TestSkipReadStopsAtDelivered(t *testing.T) {
	h := newHook(t, nil)
	opts := baseOptions(h.srv.URL)
	opts.SkipRead = true
	emu := waemu.NewTestServer(t, opts)
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "hoi"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	if got := postJSON(t, emu.URL()+"/v21.0/"+phoneID+"/messages", token, textBody(candidate, "Hoi")); got.status != 200 {
		t.Fatalf("send: HTTP %d", got.status)
	}
	waitIdle(t, emu)
	sent := emu.SentMessages()
	if len(sent) != 1 || strings.Join(sent[0].Statuses, ",") != "sent,delivered" {
		t.Fatalf("scheduled statuses %v, want sent,delivered", sent[0].Statuses)
	}
	var statuses []string
	for _, n := range h.parsed(t) {
		for _, s := range n.Statuses {
			statuses = append(statuses, string(s.Status))
		}
	}
	if strings.Join(statuses, ",") != "sent,delivered" {
		t.Errorf("delivered statuses %v", statuses)
	}
}

func TestQueueFullIsRateLimited(t *testing.T) {
	opts := baseOptions("")
	opts.QueueSize = 1
	emu, err := waemu.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := newHandlerServer(t, emu)
	endpoint := srv + "/v21.0/" + phoneID + "/messages"
	if got := postJSON(t, endpoint, token, textBody(candidate, "one")); got.status != http.StatusOK {
		t.Fatalf("first send: HTTP %d %v", got.status, got.body)
	}
	got := postJSON(t, endpoint, token, textBody(candidate, "two"))
	if got.status != http.StatusTooManyRequests || got.code() != 130429 {
		t.Fatalf("second send: HTTP %d code %d, want 429 130429", got.status, got.code())
	}
	if n := len(emu.SentMessages()); n != 1 {
		t.Errorf("recorded %d messages, want 1", n)
	}
	if err := emu.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := emu.WaitIdle(t.Context()); err != nil {
		t.Fatalf("WaitIdle after Close: %v", err)
	}
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Outcome != waemu.OutcomeAbandoned {
		t.Errorf("deliveries after Close = %+v", d)
	}
	if got := postJSON(t, endpoint, token, textBody(candidate, "three")); got.status != http.StatusServiceUnavailable {
		t.Errorf("send after Close: HTTP %d, want 503", got.status)
	}
}
