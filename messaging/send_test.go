package messaging_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestSendInsideWindowIsDeliveredAndBilledOnce(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		must(t, e.DB.SaveCostRate(ctx, &recrubo.CostRate{TenantID: e.Tenant.ID, Category: recrubo.CategoryService,
			Price: decimal.RequireFromString("0.0125")}))
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "Hoi, ik heb interesse")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		if conv.CandidateID != "c1" || conv.Ambiguous || !conv.WindowOpen(e.Clock.Now()) {
			t.Fatalf("conversation = %+v", conv)
		}
		var ids []string
		for _, body := range []string{"Dank je, Eva!", "Wanneer kun je bellen?"} {
			m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: body})
			must(t, err)
			if m.Status != recrubo.StatusQueued || m.Direction != recrubo.Outbound {
				t.Fatalf("stored = %+v", m)
			}
			ids = append(ids, m.ID)
		}
		for _, id := range ids {
			e.MessageWithStatus(t, id, recrubo.StatusRead)
			messagingtest.Eventually(t, "every receipt of "+id, func() error {
				m, err := e.DB.Message(ctx, e.Tenant.ID, id)
				if err != nil {
					return err
				}
				if m.ProviderID == "" || m.SentAt.IsZero() || m.DeliveredAt.IsZero() || m.ReadAt.IsZero() {
					return recrubo.Errorf(recrubo.ECONFLICT, "message = %+v", m)
				}
				return nil
			})
		}
		sent := e.Emu.SentMessages()
		if len(sent) != 2 {
			t.Fatalf("emulator got %+v", sent)
		}
		for _, s := range sent {
			if s.To != "31612345678" || (s.BizOpaqueCallbackData != ids[0]+":1" && s.BizOpaqueCallbackData != ids[1]+":1") {
				t.Errorf("emulator got %+v", s)
			}
		}
		costs, err := e.Service.MonthlyCosts(ctx, e.Tenant, 1)
		must(t, err)
		if len(costs) != 1 || costs[0].Category != recrubo.CategoryService || costs[0].Count != 1 ||
			!costs[0].Amount.Equal(decimal.RequireFromString("0.0125")) {
			t.Fatalf("costs = %+v", costs)
		}
	})
}

func TestSendOutsideWindowNeedsTemplate(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		must(t, e.DB.SaveCostRate(ctx, &recrubo.CostRate{TenantID: e.Tenant.ID, Category: recrubo.CategoryUtility,
			Price: decimal.RequireFromString("0.0456")}))
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		_, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "Hallo"})
		wantCode(t, err, recrubo.EINVALID)
		if !strings.Contains(recrubo.ErrorMessage(err), "needs a template") {
			t.Errorf("message = %q", recrubo.ErrorMessage(err))
		}
		conv, err := e.Service.ConversationForCandidate(ctx, e.Tenant, "c1")
		must(t, err)
		if ms, _ := e.DB.Messages(ctx, e.Tenant.ID, conv.ID, 10); len(ms) != 0 {
			t.Fatalf("a refused message was stored: %+v", ms)
		}

		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "vacature_update", Language: "nl", Vars: []string{"Eva", "Magazijnmedewerker"}}})
		must(t, err)
		if m.Body != "Hoi Eva, er is nieuws over Magazijnmedewerker." {
			t.Errorf("rendered body = %q", m.Body)
		}
		e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		sent := e.Emu.SentMessages()
		if len(sent) != 1 || sent[0].Type != "template" || sent[0].TemplateName != "vacature_update" {
			t.Fatalf("emulator got %+v", sent)
		}
		costs, err := e.Service.MonthlyCosts(ctx, e.Tenant, 1)
		must(t, err)
		if len(costs) != 1 || costs[0].Category != recrubo.CategoryUtility || !costs[0].Amount.Equal(decimal.RequireFromString("0.0456")) {
			t.Fatalf("costs = %+v", costs)
		}

		// The candidate answers, which opens the window for free text;
		// a day later it is closed again.
		e.Inbound(t, "31612345678", "Leuk!")
		e.ConversationWithMessages(t, "+31612345678", 2)
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "Top"})
		must(t, err)
		e.Clock.Advance(recrubo.ServiceWindow + time.Minute)
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "Nog daar?"})
		wantCode(t, err, recrubo.EINVALID)
	})
}

func TestSendRefusals(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.AddCandidate(t, "nophone", "Piet", "")
		tpl := func(name string, vars ...string) *messaging.Template {
			return &messaging.Template{Name: name, Language: "nl", Vars: vars}
		}
		for _, tc := range []struct {
			name string
			req  messaging.SendRequest
			code recrubo.Code
			says string
		}{
			{"unknown template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("bestaat_niet")}, recrubo.EINVALID, "no template"},
			{"unapproved template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("in_behandeling")}, recrubo.EINVALID, "not approved"},
			{"too few variables", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("vacature_update", "Eva")}, recrubo.EINVALID, "needs 2 values"},
			{"too many variables", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("nieuwe_vacatures", "x")}, recrubo.EINVALID, "needs 0 values"},
			{"no phone", messaging.SendRequest{CandidateID: "nophone", SenderID: "u1", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, "no usable phone"},
			{"unknown candidate", messaging.SendRequest{CandidateID: "c404", SenderID: "u1", Template: tpl("nieuwe_vacatures")}, recrubo.ENOTFOUND, ""},
			{"no sender", messaging.SendRequest{CandidateID: "c1", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, ""},
			{"text and template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "x", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, ""},
			{"too long", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: strings.Repeat("a", 4097)}, recrubo.EINVALID, ""},
		} {
			_, err := e.Service.Send(ctx, e.Tenant, tc.req)
			if recrubo.ErrorCode(err) != tc.code || !strings.Contains(recrubo.ErrorMessage(err), tc.says) {
				t.Errorf("%s: error = %v (%q), want %s saying %q", tc.name, err, recrubo.ErrorMessage(err), tc.code, tc.says)
			}
		}
		other := messagingtest.NewTenant("other", e.Emu.URL())
		must(t, e.DB.CreateTenant(ctx, other))
		conv, err := e.Service.ConversationForCandidate(ctx, e.Tenant, "c1")
		must(t, err)
		_, err = e.Service.Send(ctx, other, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1",
			Template: tpl("nieuwe_vacatures")})
		wantCode(t, err, recrubo.ENOTFOUND)
		if len(e.Emu.SentMessages()) != 0 {
			t.Fatalf("a refused message reached WhatsApp")
		}
	})
}

func TestProviderFailuresBecomeFailedWithReason(t *testing.T) {
	opts := messagingtest.Options{Emulator: func(o *waemu.Options) { o.InvalidNumberPrefixes = []string{"3161111"} }}
	forEachBackend(t, opts, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "bad", "Nummer", "06-11112222")
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "bad", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		got := e.MessageWithStatus(t, m.ID, recrubo.StatusFailed)
		if !strings.HasPrefix(got.FailReason, "131026") {
			t.Errorf("reason = %q", got.FailReason)
		}

		// The window as the provider sees it is closed although ours
		// is open (a message it never delivered to us): 131047.
		e.AddCandidate(t, "c2", "Eva", "06-22223333")
		conv, err := e.Service.ConversationForCandidate(ctx, e.Tenant, "c2")
		must(t, err)
		conv.LastInboundAt = e.Clock.Now()
		must(t, e.DB.SaveConversation(ctx, conv))
		m, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: "Hoi"})
		must(t, err)
		got = e.MessageWithStatus(t, m.ID, recrubo.StatusFailed)
		if !strings.HasPrefix(got.FailReason, "131047") {
			t.Errorf("reason = %q", got.FailReason)
		}

		// A refused request (bad parameter) fails at once with Meta's
		// reason; Retry sends it again as a new attempt.
		must(t, e.Emu.FailNextSend(waemu.Fault{HTTPStatus: 400, Code: 131009, Details: "Parameter value is not valid"}))
		m, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c2", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		got = e.MessageWithStatus(t, m.ID, recrubo.StatusFailed)
		if !strings.Contains(got.FailReason, "131009") {
			t.Errorf("reason = %q", got.FailReason)
		}
		_, err = e.Service.Retry(ctx, e.Tenant, conv.ID, "u1")
		wantCode(t, err, recrubo.ENOTFOUND)
		r, err := e.Service.Retry(ctx, e.Tenant, m.ID, "u1")
		must(t, err)
		if r.SendAttempt != 2 || r.Status != recrubo.StatusQueued {
			t.Fatalf("requeued = %+v", r)
		}
		got = e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		if got.FailReason != "" {
			t.Errorf("reason kept after a successful retry: %q", got.FailReason)
		}
		_, err = e.Service.Retry(ctx, e.Tenant, m.ID, "u1")
		wantCode(t, err, recrubo.ECONFLICT)
	})
}

func TestRetryableErrorsAreRetriedWithoutDuplicates(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		must(t, e.Emu.FailNextSend(waemu.Fault{HTTPStatus: 429, Code: 130429}))
		must(t, e.Emu.FailNextSend(waemu.Fault{HTTPStatus: 503, Code: 131000}))
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		if n := len(e.Emu.SentMessages()); n != 1 {
			t.Fatalf("emulator accepted %d messages, want 1", n)
		}
	})
}

func TestLostAnswerIsNotSentTwice(t *testing.T) {
	opts := messagingtest.Options{Messaging: func(c *messaging.Config) { c.ConfirmWait = time.Hour }}
	forEachBackend(t, opts, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.Emu.DropNextResponse()
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		got := e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		sent := e.Emu.SentMessages()
		if len(sent) != 1 || got.ProviderID != sent[0].ID {
			t.Fatalf("emulator accepted %+v; message has %q", sent, got.ProviderID)
		}
	})
}
