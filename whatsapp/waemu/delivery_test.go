package waemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func newHandlerServer(t *testing.T, emu *waemu.Emulator) string {
	t.Helper()
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWebhookRetriesUntilAccepted(t *testing.T) {
	h := newHook(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	emu := waemu.NewTestServer(t, baseOptions(h.srv.URL))
	rec, err := emu.SimulateInbound(waemu.Inbound{From: candidate, ProfileName: "Sanne", Text: "Hallo"})
	if err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)

	d := emu.Deliveries()
	if len(d) != 1 {
		t.Fatalf("got %d deliveries, want 1", len(d))
	}
	var codes []int
	for _, a := range d[0].Attempts {
		codes = append(codes, a.StatusCode)
	}
	if diff := cmp.Diff([]int{500, 500, 200}, codes); diff != "" {
		t.Errorf("attempt status codes (-want +got):\n%s", diff)
	}
	if d[0].Outcome != waemu.OutcomeDelivered || d[0].Kind != "message" || d[0].MessageID != rec.ID {
		t.Errorf("delivery = %+v", d[0])
	}
	bodies, sigs := h.received()
	if len(bodies) != 3 || string(bodies[0]) != string(bodies[2]) || sigs[0] != sigs[2] {
		t.Errorf("retries must resend the same signed body")
	}
	notes := h.parsed(t)
	if m := notes[2].Messages; len(m) != 1 || m[0].ProfileName != "Sanne" || m[0].Text != "Hallo" {
		t.Errorf("parsed message = %+v", m)
	}
}

func TestWebhookRetriesAreBounded(t *testing.T) {
	h := newHook(t, func(int) int { return http.StatusServiceUnavailable })
	opts := baseOptions(h.srv.URL)
	opts.MaxAttempts = 4
	emu := waemu.NewTestServer(t, opts)
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Outcome != waemu.OutcomeAbandoned || len(d[0].Attempts) != 4 {
		t.Fatalf("deliveries = %+v, want one abandoned after 4 attempts", d)
	}
	if bodies, _ := h.received(); len(bodies) != 4 {
		t.Errorf("receiver saw %d attempts, want 4", len(bodies))
	}
}

func TestNoWebhookURLIsSkippedThenDelivered(t *testing.T) {
	h := newHook(t, nil)
	emu := waemu.NewTestServer(t, baseOptions(""))
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "eerste"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)
	emu.SetWebhookURL(h.srv.URL)
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "tweede"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)
	d := emu.Deliveries()
	if len(d) != 2 || d[0].Outcome != waemu.OutcomeSkipped || d[1].Outcome != waemu.OutcomeDelivered {
		t.Fatalf("deliveries = %+v", d)
	}
	if notes := h.parsed(t); len(notes) != 1 || notes[0].Messages[0].Text != "tweede" {
		t.Errorf("receiver got %+v", notes)
	}
}

func TestCloseAbandonsInFlightDelivery(t *testing.T) {
	entered := make(chan struct{}, 1)
	blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client going away.
		_, _ = io.Copy(io.Discard, r.Body)
		entered <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(blocking.Close)
	emu, err := waemu.New(baseOptions(blocking.URL))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := emu.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	<-entered
	if err := emu.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := emu.WaitIdle(t.Context()); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	if d := emu.Deliveries(); len(d) != 1 || d[0].Outcome != waemu.OutcomeAbandoned {
		t.Errorf("deliveries = %+v", d)
	}
	if err := emu.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "na sluiten"}); err == nil {
		t.Errorf("SimulateInbound after Close succeeded")
	}
}

// TestStatusPayloadMatchesMetaShape checks the raw JSON keys of a status
// webhook against Meta's documented syntax, independently of any parser.
func TestStatusPayloadMatchesMetaShape(t *testing.T) {
	h := newHook(t, nil)
	emu := waemu.NewTestServer(t, baseOptions(h.srv.URL))
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, ProfileName: "Sanne", Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu) // webhooks of different messages are not ordered
	body := map[string]any{"messaging_product": "whatsapp", "to": candidate, "text": map[string]any{"body": "Hoi"}, "biz_opaque_callback_data": "m-1"}
	if got := postJSON(t, emu.URL()+"/v21.0/"+phoneID+"/messages", token, body); got.status != 200 {
		t.Fatalf("send: HTTP %d", got.status)
	}
	waitIdle(t, emu)
	bodies, _ := h.received()
	if len(bodies) != 4 {
		t.Fatalf("got %d webhooks, want message + 3 statuses", len(bodies))
	}
	var msg, sent map[string]any
	if err := json.Unmarshal(bodies[0], &msg); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bodies[1], &sent); err != nil {
		t.Fatal(err)
	}
	value := func(doc map[string]any) map[string]any {
		entry := doc["entry"].([]any)[0].(map[string]any)
		change := entry["changes"].([]any)[0].(map[string]any)
		if doc["object"] != "whatsapp_business_account" || change["field"] != "messages" || entry["id"] == "" {
			t.Errorf("envelope = %v", doc)
		}
		return change["value"].(map[string]any)
	}
	mv := value(msg)
	if diff := cmp.Diff([]string{"contacts", "messages", "messaging_product", "metadata"}, keys(mv)); diff != "" {
		t.Errorf("message value keys (-want +got):\n%s", diff)
	}
	m := mv["messages"].([]any)[0].(map[string]any)
	if diff := cmp.Diff([]string{"from", "id", "text", "timestamp", "type"}, keys(m)); diff != "" {
		t.Errorf("message keys (-want +got):\n%s", diff)
	}
	if _, isString := m["timestamp"].(string); !isString {
		t.Errorf("timestamp must be a string, got %T", m["timestamp"])
	}
	sv := value(sent)
	st := sv["statuses"].([]any)[0].(map[string]any)
	if diff := cmp.Diff([]string{"biz_opaque_callback_data", "conversation", "id", "pricing", "recipient_id", "status", "timestamp"}, keys(st)); diff != "" {
		t.Errorf("status keys (-want +got):\n%s", diff)
	}
	conv := st["conversation"].(map[string]any)
	if diff := cmp.Diff([]string{"expiration_timestamp", "id", "origin"}, keys(conv)); diff != "" {
		t.Errorf("conversation keys (-want +got):\n%s", diff)
	}
	pricing := st["pricing"].(map[string]any)
	if pricing["category"] != "service" || pricing["billable"] != false || pricing["pricing_model"] != "PMP" {
		t.Errorf("pricing = %v", pricing)
	}
	meta := sv["metadata"].(map[string]any)
	if meta["phone_number_id"] != phoneID || meta["display_phone_number"] == "" {
		t.Errorf("metadata = %v", meta)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestNewValidatesOptions(t *testing.T) {
	tests := map[string]func(*waemu.Options){
		"NoSecret":      func(o *waemu.Options) { o.AppSecret = "" },
		"NoNumbers":     func(o *waemu.Options) { o.AccessTokens = nil },
		"LetterPhoneID": func(o *waemu.Options) { o.AccessTokens = map[string]string{"abc": "t"} },
		"EmptyToken":    func(o *waemu.Options) { o.AccessTokens = map[string]string{phoneID: ""} },
		"BadTemplate": func(o *waemu.Options) {
			o.Templates = []waemu.Template{{Name: "Bad Name", Language: "nl", Category: "UTILITY", Status: "APPROVED", Body: "x"}}
		},
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			o := baseOptions("")
			mutate(&o)
			if _, err := waemu.New(o); err == nil {
				t.Fatal("New accepted invalid options")
			}
		})
	}
}
