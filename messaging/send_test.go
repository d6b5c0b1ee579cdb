package messaging_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

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
			eventually.Succeeds(t, "every receipt of "+id, func() error {
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
		// One service conversation, which WhatsApp (like the emulator)
		// reports as not billable: counted, at no cost.
		costs, err := e.Service.MonthlyCosts(ctx, e.Tenant, 1)
		must(t, err)
		if len(costs) != 1 || costs[0].Category != recrubo.CategoryService || costs[0].Count != 1 ||
			!costs[0].Amount.IsZero() {
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
		if key, _ := recrubo.ErrorKey(err); key != "embed.error.window_closed" {
			t.Errorf("refusal = %v", err)
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
			says string // the user's text: catalog key and values
		}{
			{"unknown template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("bestaat_niet")}, recrubo.EINVALID, "embed.error.template_unavailable []"},
			{"unapproved template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("in_behandeling")}, recrubo.EINVALID, "embed.error.template_unavailable []"},
			{"too few variables", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("vacature_update", "Eva")}, recrubo.EINVALID, "embed.error.template_values [2 1]"},
			{"too many variables", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Template: tpl("nieuwe_vacatures", "x")}, recrubo.EINVALID, "embed.error.template_values [0 1]"},
			{"no phone", messaging.SendRequest{CandidateID: "nophone", SenderID: "u1", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, "whatsapp.msg.no_mobile []"},
			{"unknown candidate", messaging.SendRequest{CandidateID: "c404", SenderID: "u1", Template: tpl("nieuwe_vacatures")}, recrubo.ENOTFOUND, ""},
			{"no sender", messaging.SendRequest{CandidateID: "c1", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, ""},
			{"text and template", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "x", Template: tpl("nieuwe_vacatures")}, recrubo.EINVALID, ""},
			{"too long", messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: strings.Repeat("a", 4097)}, recrubo.EINVALID, ""},
		} {
			_, err := e.Service.Send(ctx, e.Tenant, tc.req)
			key, args := recrubo.ErrorKey(err)
			if says := fmt.Sprintf("%s %v", key, args); recrubo.ErrorCode(err) != tc.code || tc.says != "" && says != tc.says {
				t.Errorf("%s: error = %v, want %s saying %q", tc.name, err, tc.code, tc.says)
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
		if got.FailCode != "131026" || !strings.HasPrefix(got.FailReason, "131026") {
			t.Errorf("failure = %q %q", got.FailCode, got.FailReason)
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
		if got.FailCode != "131047" || !strings.HasPrefix(got.FailReason, "131047") {
			t.Errorf("failure = %q %q", got.FailCode, got.FailReason)
		}

		// A refused request (bad parameter) fails at once with Meta's
		// reason; Retry sends it again as a new attempt.
		must(t, e.Emu.FailNextSend(waemu.Fault{HTTPStatus: 400, Code: 131009, Details: "Parameter value is not valid"}))
		m, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c2", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		got = e.MessageWithStatus(t, m.ID, recrubo.StatusFailed)
		if got.FailCode != "131009" || !strings.Contains(got.FailReason, "131009") {
			t.Errorf("failure = %q %q", got.FailCode, got.FailReason)
		}
		_, err = e.Service.Retry(ctx, e.Tenant, conv.ID, "u1")
		wantCode(t, err, recrubo.ENOTFOUND)
		r, err := e.Service.Retry(ctx, e.Tenant, m.ID, "u1")
		must(t, err)
		if r.SendAttempt != 2 || r.Status != recrubo.StatusQueued {
			t.Fatalf("requeued = %+v", r)
		}
		got = e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		if got.FailReason != "" || got.FailCode != "" {
			t.Errorf("failure kept after a successful retry: %q %q", got.FailCode, got.FailReason)
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

// A template that is no longer approved, or whose placeholders changed,
// stops a queued send and a retry: what Send checked may not hold later.
func TestTemplateCheckedAgainBeforeSendingAndRetrying(t *testing.T) {
	forEachBackend(t, messagingtest.Options{NoJobs: true}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		save := func(name string, st recrubo.TemplateStatus, body string) {
			t.Helper()
			must(t, e.DB.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: e.Tenant.ID, Name: name, Language: "nl",
				Category: recrubo.CategoryMarketing, Status: st, Body: body}))
		}
		send := func(name string, vars ...string) *recrubo.Message {
			t.Helper()
			m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
				Template: &messaging.Template{Name: name, Language: "nl", Vars: vars}})
			must(t, err)
			return m
		}
		run := func(m *recrubo.Message) *recrubo.Message {
			t.Helper()
			must(t, e.Service.HandleSend(ctx, messaging.SendJob{TenantID: e.Tenant.ID, MessageID: m.ID, Attempt: m.SendAttempt}))
			got, err := e.DB.Message(ctx, e.Tenant.ID, m.ID)
			must(t, err)
			return got
		}

		// Queued while approved, rejected before its job runs.
		m := send("nieuwe_vacatures")
		save("nieuwe_vacatures", recrubo.TemplateRejected, "Nieuwe vacatures voor je!")
		if got := run(m); got.Status != recrubo.StatusFailed || got.FailCode != recrubo.FailTemplate || !strings.Contains(got.FailReason, "not approved") {
			t.Fatalf("send of a rejected template = %+v", got)
		}
		// Queued with two values; the template now takes three.
		v := send("vacature_update", "Eva", "Chauffeur")
		save("vacature_update", recrubo.TemplateApproved, "Hoi {{1}}, nieuws over {{2}} in {{3}}.")
		if got := run(v); got.Status != recrubo.StatusFailed || got.FailCode != recrubo.FailTemplate || !strings.Contains(got.FailReason, "embed.error.template_values [3 2]") {
			t.Fatalf("send with a changed placeholder count = %+v", got)
		}
		if sent := e.Emu.SentMessages(); len(sent) != 0 {
			t.Fatalf("WhatsApp received %+v", sent)
		}

		// Retry refuses both while the template is as it is, and sends
		// again once it is approved (with the old placeholders) again.
		for _, id := range []string{m.ID, v.ID} {
			_, err := e.Service.Retry(ctx, e.Tenant, id, "u1")
			wantCode(t, err, recrubo.EINVALID)
			if got, _ := e.DB.Message(ctx, e.Tenant.ID, id); got.Status != recrubo.StatusFailed || got.SendAttempt != 1 {
				t.Fatalf("a refused retry changed the message: %+v", got)
			}
		}
		save("nieuwe_vacatures", recrubo.TemplateApproved, "Nieuwe vacatures voor je!")
		r, err := e.Service.Retry(ctx, e.Tenant, m.ID, "u1")
		must(t, err)
		if got := run(r); got.Status == recrubo.StatusFailed || got.ProviderID == "" {
			t.Fatalf("retry of an approved template = %+v", got)
		}
		if sent := e.Emu.SentMessages(); len(sent) != 1 || sent[0].TemplateName != "nieuwe_vacatures" {
			t.Fatalf("WhatsApp received %+v", sent)
		}
	})
}

// costsByCategory returns this month's costs by category.
func costsByCategory(t *testing.T, e *messagingtest.Env) map[recrubo.TemplateCategory]*recrubo.MonthlyCost {
	t.Helper()
	costs, err := e.Service.MonthlyCosts(context.Background(), e.Tenant, 1)
	must(t, err)
	out := map[recrubo.TemplateCategory]*recrubo.MonthlyCost{}
	for _, c := range costs {
		out[c.Category] = c
	}
	return out
}

// A message WhatsApp accepted but could not deliver costs nothing: costs
// are recorded from sent and delivered statuses, not from the acceptance.
func TestFailedMessageCostsNothing(t *testing.T) {
	opts := messagingtest.Options{Emulator: func(o *waemu.Options) { o.InvalidNumberPrefixes = []string{"3161111"} }}
	forEachBackend(t, opts, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		must(t, e.DB.SaveCostRate(ctx, &recrubo.CostRate{TenantID: e.Tenant.ID, Category: recrubo.CategoryMarketing,
			Price: decimal.RequireFromString("0.1131")}))
		e.AddCandidate(t, "bad", "Nummer", "06-11112222") // accepted, then failed with 131026
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "bad", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		got := e.MessageWithStatus(t, m.ID, recrubo.StatusFailed)
		if got.ProviderID == "" {
			t.Fatalf("the send was not accepted first: %+v", got)
		}
		waitIdle(t, e)
		processed(t, e, "status:"+got.ProviderID+":failed")
		if costs := costsByCategory(t, e); len(costs) != 0 {
			t.Fatalf("a failed message was billed: %+v", costs[recrubo.CategoryMarketing])
		}
	})
}

// WhatsApp bills a conversation per category: a marketing template inside
// the service window the candidate opened is billed, once for the
// provider's marketing conversation however many messages it holds.
func TestCostsPerProviderConversationAndCategory(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		for cat, price := range map[recrubo.TemplateCategory]string{recrubo.CategoryService: "0.0125",
			recrubo.CategoryMarketing: "0.1131", recrubo.CategoryUtility: "0.0456"} {
			must(t, e.DB.SaveCostRate(ctx, &recrubo.CostRate{TenantID: e.Tenant.ID, Category: cat,
				Price: decimal.RequireFromString(price)}))
		}
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "Hoi")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		var ids []string
		for _, req := range []messaging.SendRequest{
			{ConversationID: conv.ID, SenderID: "u1", Body: "Dank je!"},
			{ConversationID: conv.ID, SenderID: "u1", Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}},
			{ConversationID: conv.ID, SenderID: "u1", Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}},
		} {
			m, err := e.Service.Send(ctx, e.Tenant, req)
			must(t, err)
			ids = append(ids, m.ID)
			e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		}
		waitIdle(t, e)
		for _, id := range ids {
			m, err := e.DB.Message(ctx, e.Tenant.ID, id)
			must(t, err)
			for _, st := range []string{"sent", "delivered", "read"} {
				processed(t, e, "status:"+m.ProviderID+":"+st)
			}
		}
		costs := costsByCategory(t, e)
		if len(costs) != 2 {
			t.Fatalf("costs = %+v", costs)
		}
		if c := costs[recrubo.CategoryMarketing]; c == nil || c.Count != 1 || !c.Amount.Equal(decimal.RequireFromString("0.1131")) {
			t.Errorf("marketing inside the service window = %+v, want one conversation at 0.1131", c)
		}
		if c := costs[recrubo.CategoryService]; c == nil || c.Count != 1 || !c.Amount.IsZero() {
			t.Errorf("service = %+v, want one free conversation", c)
		}
	})
}
