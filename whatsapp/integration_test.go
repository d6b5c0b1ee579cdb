package whatsapp_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/whatsapp"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

const candidate = "31612345678"

func TestRepliesArriveAsInboundMessages(t *testing.T) {
	rc, emu, _ := setup(t, nil)
	text, err := emu.SimulateInbound(waemu.Inbound{From: "+" + candidate, ProfileName: "Sanne de Vries", Text: "Is de vacature nog open?"})
	if err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	doc, err := emu.SimulateInbound(waemu.Inbound{From: candidate, ProfileName: "Sanne de Vries", Type: "document", Text: "Mijn CV", Filename: "cv.pdf", ReplyTo: "wamid.earlier"})
	if err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)

	// Meta does not promise ordering across messages; match them by id.
	got := rc.messages()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	if got[0].ID == doc.ID {
		got[0], got[1] = got[1], got[0]
	}
	if got[0].ID != text.ID || got[0].From != candidate || got[0].ProfileName != "Sanne de Vries" ||
		got[0].Type != "text" || got[0].Text != "Is de vacature nog open?" || got[0].PhoneNumberID != testPhoneID {
		t.Errorf("text message = %+v", got[0])
	}
	if !got[0].Timestamp.Equal(text.At.Truncate(time.Second)) {
		t.Errorf("timestamp = %v, want %v", got[0].Timestamp, text.At)
	}
	if got[1].ID != doc.ID || got[1].Type != "document" || got[1].Media == nil ||
		got[1].Media.Filename != "cv.pdf" || got[1].Media.Caption != "Mijn CV" || got[1].Media.MimeType != "application/pdf" ||
		got[1].Context != "wamid.earlier" {
		t.Errorf("document message = %+v media %+v", got[1], got[1].Media)
	}
	if _, bad, _ := rc.counts(); bad != 0 {
		t.Errorf("%d webhooks failed signature verification", bad)
	}
}

func TestSendTextInsideWindowDeliversSignedStatuses(t *testing.T) {
	rc, emu, client := setup(t, nil)
	in, err := emu.SimulateInbound(waemu.Inbound{From: candidate, ProfileName: "Sanne", Text: "Hallo"})
	if err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	res, err := client.SendText(t.Context(), "+"+candidate, "Hoi Sanne, dank voor je bericht.", false, "msg-42")
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	if !strings.HasPrefix(res.MessageID, "wamid.") || res.WaID != candidate {
		t.Fatalf("SendResult = %+v", res)
	}
	if err := client.MarkRead(t.Context(), in.ID); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	waitIdle(t, emu)

	sts := rc.statuses(res.MessageID)
	want := []whatsapp.Status{whatsapp.StatusSent, whatsapp.StatusDelivered, whatsapp.StatusRead}
	if diff := cmp.Diff(want, statusNames(sts)); diff != "" {
		t.Fatalf("statuses (-want +got):\n%s", diff)
	}
	for _, s := range sts {
		if s.BizOpaqueCallbackData != "msg-42" || s.RecipientID != candidate || s.Category != "service" ||
			s.Billable || s.ConversationID == "" || s.ConversationID != sts[0].ConversationID || s.PhoneNumberID != testPhoneID {
			t.Errorf("status %s = %+v", s.Status, s)
		}
	}
	if _, bad, badPayload := rc.counts(); bad != 0 || badPayload != 0 {
		t.Errorf("receiver rejected webhooks: %d bad signatures, %d bad payloads", bad, badPayload)
	}
	sent := emu.SentMessages()
	if len(sent) != 1 || sent[0].Body != "Hoi Sanne, dank voor je bericht." || sent[0].BizOpaqueCallbackData != "msg-42" {
		t.Errorf("emulator recorded %+v", sent)
	}
	if inbound := emu.InboundMessages(); inbound[0].ReadAt.IsZero() {
		t.Errorf("inbound message was not marked read")
	}
}

func TestSendTextOutsideWindowFailsWith131047(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	rc, emu, client := setup(t, func(o *waemu.Options) { o.Now = clock.Now })

	send := func(to string) []whatsapp.StatusUpdate {
		t.Helper()
		res, err := client.SendText(t.Context(), to, "Ben je nog beschikbaar?", false, "")
		if err != nil {
			t.Fatalf("SendText: %v (the Cloud API accepts the send and fails it later)", err)
		}
		waitIdle(t, emu)
		return rc.statuses(res.MessageID)
	}
	assertFailed := func(sts []whatsapp.StatusUpdate) {
		t.Helper()
		if diff := cmp.Diff([]whatsapp.Status{whatsapp.StatusFailed}, statusNames(sts)); diff != "" {
			t.Fatalf("statuses (-want +got):\n%s", diff)
		}
		if len(sts[0].Errors) != 1 || sts[0].Errors[0].Code != whatsapp.CodeReengagementMessage {
			t.Fatalf("errors = %+v, want code 131047", sts[0].Errors)
		}
		if !strings.Contains(sts[0].FailureReason(), "24 hours") {
			t.Errorf("FailureReason = %q", sts[0].FailureReason())
		}
	}

	// A number that never wrote to us.
	assertFailed(send("31687654321"))

	// A candidate who wrote 23 hours ago is inside the window; at 25 hours not.
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	clock.Advance(23 * time.Hour)
	if got := statusNames(send(candidate)); len(got) == 0 || got[0] != whatsapp.StatusSent {
		t.Fatalf("inside the window: statuses %v, want sent first", got)
	}
	clock.Advance(2 * time.Hour)
	assertFailed(send(candidate))
}

func TestSendTemplateOutsideWindow(t *testing.T) {
	rc, emu, client := setup(t, func(o *waemu.Options) {
		o.Templates = []waemu.Template{
			{Name: "interview_invite", Language: "nl", Category: "UTILITY", Status: "APPROVED", Body: "Hoi {{1}}, je gesprek is op {{2}}."},
			{Name: "new_vacancies", Language: "nl", Category: "MARKETING", Status: "APPROVED", Header: "Nieuw bij {{1}}", Body: "Bekijk {{1}} nieuwe vacatures."},
		}
	})
	res, err := client.SendTemplate(t.Context(), candidate, whatsapp.Template{Name: "interview_invite", Language: "nl", BodyParams: []string{"Sanne", "dinsdag"}}, "msg-7")
	if err != nil {
		t.Fatalf("SendTemplate: %v", err)
	}
	mkt, err := client.SendTemplate(t.Context(), candidate, whatsapp.Template{Name: "new_vacancies", Language: "nl", HeaderParams: []string{"Randstad"}, BodyParams: []string{"3"}}, "")
	if err != nil {
		t.Fatalf("SendTemplate: %v", err)
	}
	waitIdle(t, emu)

	sts := rc.statuses(res.MessageID)
	if diff := cmp.Diff([]whatsapp.Status{"sent", "delivered", "read"}, statusNames(sts)); diff != "" {
		t.Fatalf("statuses (-want +got):\n%s", diff)
	}
	if sts[0].Category != "utility" || !sts[0].Billable || sts[0].ConversationOrigin != "utility" || sts[0].BizOpaqueCallbackData != "msg-7" {
		t.Errorf("template status = %+v", sts[0])
	}
	if got := rc.statuses(mkt.MessageID); len(got) == 0 || got[0].Category != "marketing" {
		t.Errorf("marketing template statuses = %+v", got)
	}
	sent := emu.SentMessages()
	if sent[0].Body != "Hoi Sanne, je gesprek is op dinsdag." || sent[1].Body != "Nieuw bij Randstad\nBekijk 3 nieuwe vacatures." {
		t.Errorf("rendered bodies = %q, %q", sent[0].Body, sent[1].Body)
	}
}

func TestSendTemplateErrors(t *testing.T) {
	_, emu, client := setup(t, func(o *waemu.Options) {
		o.Templates = []waemu.Template{
			{Name: "interview_invite", Language: "nl", Category: "UTILITY", Status: "APPROVED", Body: "Hoi {{1}}, je gesprek is op {{2}}."},
			{Name: "pending_one", Language: "nl", Category: "UTILITY", Status: "PENDING", Body: "Hoi"},
			{Name: "rejected_one", Language: "nl", Category: "MARKETING", Status: "REJECTED", Body: "Hoi"},
		}
	})
	tests := []struct {
		name     string
		tpl      whatsapp.Template
		code     int
		httpCode int
	}{
		{"Unknown", whatsapp.Template{Name: "nope", Language: "nl"}, whatsapp.CodeTemplateNotFound, http.StatusNotFound},
		{"WrongLanguage", whatsapp.Template{Name: "interview_invite", Language: "en_US", BodyParams: []string{"a", "b"}}, whatsapp.CodeTemplateNotFound, http.StatusNotFound},
		{"Pending", whatsapp.Template{Name: "pending_one", Language: "nl"}, whatsapp.CodeTemplateNotFound, http.StatusNotFound},
		{"Rejected", whatsapp.Template{Name: "rejected_one", Language: "nl"}, whatsapp.CodeTemplateNotFound, http.StatusNotFound},
		{"ParamCount", whatsapp.Template{Name: "interview_invite", Language: "nl", BodyParams: []string{"Sanne"}}, whatsapp.CodeTemplateParamCountMismatch, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.SendTemplate(t.Context(), candidate, tc.tpl, "")
			var apiErr *whatsapp.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Code != tc.code || apiErr.HTTPStatus != tc.httpCode || apiErr.FBTraceID == "" || apiErr.Details == "" {
				t.Errorf("APIError = %+v, want code %d HTTP %d", apiErr, tc.code, tc.httpCode)
			}
			if whatsapp.Retryable(err) {
				t.Errorf("template error reported retryable")
			}
		})
	}
	if n := len(emu.SentMessages()); n != 0 {
		t.Errorf("emulator recorded %d refused messages", n)
	}
}

func TestInvalidNumberFailsWith131026(t *testing.T) {
	rc, emu, client := setup(t, nil)
	const number = "31990000001"
	if _, err := emu.SimulateInbound(waemu.Inbound{From: number, Text: "hoi"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	res, err := client.SendText(t.Context(), "+"+number, "Hoi", false, "msg-9")
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	waitIdle(t, emu)
	sts := rc.statuses(res.MessageID)
	if len(sts) != 1 || sts[0].Status != whatsapp.StatusFailed || len(sts[0].Errors) != 1 ||
		sts[0].Errors[0].Code != whatsapp.CodeMessageUndeliverable || sts[0].BizOpaqueCallbackData != "msg-9" {
		t.Fatalf("statuses = %+v, want one failed with 131026", sts)
	}
}

func TestWrongTokenIsTyped401(t *testing.T) {
	_, emu, _ := setup(t, nil)
	for name, token := range map[string]string{"Wrong": "EAAG-wrong", "Garbage": "x y z"} {
		t.Run(name, func(t *testing.T) {
			_, err := newClient(t, emu.URL(), token).SendText(t.Context(), candidate, "Hoi", false, "")
			var apiErr *whatsapp.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.HTTPStatus != http.StatusUnauthorized || apiErr.Code != whatsapp.CodeAccessTokenExpired ||
				apiErr.Type != "OAuthException" || apiErr.FBTraceID == "" || !apiErr.IsAuth() || apiErr.Retryable() {
				t.Errorf("APIError = %+v", apiErr)
			}
		})
	}
}

func TestHandshake(t *testing.T) {
	rc, emu, _ := setup(t, nil)
	if err := emu.Subscribe(t.Context()); err != nil {
		t.Fatalf("Subscribe with the right token: %v", err)
	}
	wrong := waemu.NewTestServer(t, waemu.Options{
		AppSecret: testAppSecret, VerifyToken: "another-token",
		AccessTokens: map[string]string{testPhoneID: testToken}, WebhookURL: rc.srv.URL,
	})
	if err := wrong.Subscribe(t.Context()); err == nil {
		t.Fatal("Subscribe with a wrong verify token succeeded")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.handshakes != 1 || rc.rejectedHands != 1 {
		t.Errorf("handshakes ok=%d rejected=%d, want 1 and 1", rc.handshakes, rc.rejectedHands)
	}
}

func TestBadSignatureIsRejected(t *testing.T) {
	rc, emu, _ := setup(t, func(o *waemu.Options) {
		o.AppSecret = "not-the-app-secret"
		o.MaxAttempts = 3
	})
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	waitIdle(t, emu)
	accepted, bad, _ := rc.counts()
	if accepted != 0 || bad != 3 {
		t.Fatalf("receiver accepted %d and rejected %d, want 0 and 3 (one per attempt)", accepted, bad)
	}
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Outcome != waemu.OutcomeAbandoned || len(d[0].Attempts) != 3 || d[0].Attempts[2].StatusCode != http.StatusUnauthorized {
		t.Errorf("deliveries = %+v", d)
	}
}

// TestStatusNeverMovesBackwards delivers statuses reversed and duplicated
// and applies them with Advance, as the service stores them.
func TestStatusNeverMovesBackwards(t *testing.T) {
	rc, emu, client := setup(t, func(o *waemu.Options) {
		o.StatusOrder = waemu.Reversed
		o.DuplicateStatuses = true
	})
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Hallo"}); err != nil {
		t.Fatalf("SimulateInbound: %v", err)
	}
	res, err := client.SendText(t.Context(), candidate, "Hoi", false, "")
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	waitIdle(t, emu)
	sts := rc.statuses(res.MessageID)
	want := []whatsapp.Status{"read", "read", "delivered", "delivered", "sent", "sent"}
	if diff := cmp.Diff(want, statusNames(sts)); diff != "" {
		t.Fatalf("arrival order (-want +got):\n%s", diff)
	}
	stored, changes := whatsapp.StatusQueued, 0
	for _, s := range sts {
		next, changed := whatsapp.Advance(stored, s.Status)
		if whatsapp.StatusRank(next) < whatsapp.StatusRank(stored) {
			t.Fatalf("status moved back from %s to %s", stored, next)
		}
		if changed {
			changes++
		}
		stored = next
	}
	if stored != whatsapp.StatusRead || changes != 1 {
		t.Errorf("stored %s after %d changes, want read after 1", stored, changes)
	}
}

func TestProviderFaultsAreClassified(t *testing.T) {
	_, emu, client := setup(t, nil)
	tests := []struct {
		fault     waemu.Fault
		retryable bool
	}{
		{waemu.Fault{HTTPStatus: 429, Code: 130429}, true},
		{waemu.Fault{HTTPStatus: 400, Code: 131056}, true},
		{waemu.Fault{HTTPStatus: 500, Code: 131000}, true},
		{waemu.Fault{HTTPStatus: 503, Code: 133004}, true},
		{waemu.Fault{HTTPStatus: 400, Code: 100, Details: "Invalid parameter"}, false},
		{waemu.Fault{HTTPStatus: 403, Code: 10}, false},
	}
	for _, tc := range tests {
		if err := emu.FailNextSend(tc.fault); err != nil {
			t.Fatalf("FailNextSend: %v", err)
		}
		_, err := client.SendText(t.Context(), candidate, "Hoi", false, "")
		var apiErr *whatsapp.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tc.fault.Code || apiErr.HTTPStatus != tc.fault.HTTPStatus {
			t.Fatalf("fault %+v: err = %v", tc.fault, err)
		}
		if got := whatsapp.Retryable(err); got != tc.retryable {
			t.Errorf("fault %d/%d: Retryable = %v, want %v", tc.fault.HTTPStatus, tc.fault.Code, got, tc.retryable)
		}
	}
}
