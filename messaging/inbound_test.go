package messaging_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestInboundMatchedAmbiguousAndUnmatched(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.AddCandidate(t, "c2", "Jan", "+31 6 22223333")
		e.AddCandidate(t, "c3", "Joop", "0031622223333") // the same number as c2

		e.Inbound(t, "31612345678", "Hoi")
		e.Inbound(t, "31622223333", "Hallo")
		e.Inbound(t, "447911123456", "Hello") // nobody's
		if _, err := e.Emu.SimulateInbound(waemu.Inbound{From: "447911123456", Type: "image", Text: "mijn cv"}); err != nil {
			t.Fatal(err)
		}

		matched, ms := e.ConversationWithMessages(t, "+31612345678", 1)
		if matched.CandidateID != "c1" || matched.Ambiguous || ms[0].Body != "Hoi" || ms[0].Direction != recrubo.Inbound {
			t.Errorf("matched = %+v, %+v", matched, ms[0])
		}
		ambiguous, _ := e.ConversationWithMessages(t, "+31622223333", 1)
		if ambiguous.CandidateID != "" || !ambiguous.Ambiguous {
			t.Errorf("ambiguous = %+v", ambiguous)
		}
		unmatched, ms := e.ConversationWithMessages(t, "+447911123456", 2)
		if unmatched.CandidateID != "" || unmatched.Ambiguous {
			t.Errorf("unmatched = %+v", unmatched)
		}
		media := ms[0]
		if media.MediaType == "" {
			media = ms[1]
		}
		if media.MediaType != "image" || media.MediaRef == "" || !strings.Contains(media.Body, "mijn cv") {
			t.Errorf("media message = %+v", media)
		}
		list, err := e.DB.ListConversations(ctx, e.Tenant.ID, recrubo.ConversationFilter{ViewerID: "u1", Unmatched: true})
		must(t, err)
		if len(list) != 2 {
			t.Errorf("unmatched list has %d conversations, want 2", len(list))
		}
		for _, c := range list {
			if c.ID == unmatched.ID && c.Unread != 2 {
				t.Errorf("unmatched = %+v", c)
			}
		}
		must(t, e.Service.MarkRead(ctx, e.Tenant.ID, unmatched.ID, "u1"))
		if n, _ := e.DB.Unread(ctx, e.Tenant.ID, unmatched.ID, "u1"); n != 0 {
			t.Errorf("unread after MarkRead = %d", n)
		}

		// The recruiter opens the conversation from Jan's page: that
		// settles the ambiguity.
		conv, err := e.Service.ConversationForCandidate(ctx, e.Tenant, "c2")
		must(t, err)
		if conv.ID != ambiguous.ID || conv.CandidateID != "c2" || conv.Ambiguous {
			t.Errorf("linked = %+v", conv)
		}
		// An unknown sender who is synced later is matched on their
		// next message.
		e.AddCandidate(t, "c4", "Brit", "+447911123456")
		e.Inbound(t, "447911123456", "Still there?")
		eventually.Succeeds(t, "late match", func() error {
			c, err := e.DB.Conversation(ctx, e.Tenant.ID, unmatched.ID)
			if err != nil {
				return err
			}
			if c.CandidateID != "c4" {
				return recrubo.Errorf(recrubo.ENOTFOUND, "candidate is %q", c.CandidateID)
			}
			return nil
		})

		must(t, e.Service.Assign(ctx, e.Tenant.ID, matched.ID, "u9", "u1"))
		must(t, e.Service.SetState(ctx, e.Tenant.ID, matched.ID, recrubo.ConversationClosed))
		wantCode(t, e.Service.SetState(ctx, e.Tenant.ID, matched.ID, "archived"), recrubo.EINVALID)
		got, err := e.DB.Conversation(ctx, e.Tenant.ID, matched.ID)
		must(t, err)
		if got.AssigneeID != "u9" || got.State != recrubo.ConversationClosed || got.LastInboundAt.IsZero() {
			t.Errorf("after assign and close = %+v", got)
		}
		e.Inbound(t, "31612345678", "Nog een vraag")
		eventually.Succeeds(t, "reopened", func() error {
			c, err := e.DB.Conversation(ctx, e.Tenant.ID, matched.ID)
			if err != nil {
				return err
			}
			if c.State != recrubo.ConversationOpen {
				return recrubo.Errorf(recrubo.ECONFLICT, "state %s", c.State)
			}
			return nil
		})
	})
}

func TestStopOptsOutAndSendIsRefused(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "  Afmelden ")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		var consent *recrubo.Consent
		eventually.Succeeds(t, "opt-out", func() error {
			var err error
			if consent, err = e.DB.Consent(ctx, e.Tenant.ID, "+31612345678"); err != nil {
				return err
			}
			if !consent.OptedOut {
				return recrubo.Errorf(recrubo.ECONFLICT, "not opted out")
			}
			return nil
		})
		if consent.Source != messaging.SourceStopKeyword || consent.At.IsZero() {
			t.Errorf("consent = %+v", consent)
		}
		_, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: "Jammer!"})
		wantCode(t, err, recrubo.EFORBIDDEN)
		if key, args := recrubo.ErrorKey(err); key != "embed.error.opted_out" || len(args) != 1 || !strings.Contains(err.Error(), "STOP") {
			t.Errorf("refusal = %v", err)
		}
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		wantCode(t, err, recrubo.EFORBIDDEN)

		for _, word := range []string{"STOP", "stop", "uitschrijven", "Stop "} {
			e.Inbound(t, "31612345678", word)
		}
		e.ConversationWithMessages(t, "+31612345678", 5)
		e.Inbound(t, "31612345678", "start")
		e.ConversationWithMessages(t, "+31612345678", 6)
		eventually.Succeeds(t, "opt-in", func() error {
			c, err := e.DB.Consent(ctx, e.Tenant.ID, "+31612345678")
			if err != nil {
				return err
			}
			if c.OptedOut || c.Source != messaging.SourceStartKeyword {
				return recrubo.Errorf(recrubo.ECONFLICT, "consent %+v", c)
			}
			return nil
		})
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: "Welkom terug"})
		must(t, err)

		must(t, e.Service.OptOut(ctx, e.Tenant.ID, "06-12345678", "recruiter:u1"))
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: "x"})
		wantCode(t, err, recrubo.EFORBIDDEN)
		must(t, e.Service.OptIn(ctx, e.Tenant.ID, "06-12345678", "recruiter:u1"))
		wantCode(t, e.Service.OptIn(ctx, e.Tenant.ID, "geen nummer", "recruiter:u1"), recrubo.EINVALID)
	})
}

func TestStatusesOutOfOrderAndTwiceNeverMoveBack(t *testing.T) {
	opts := messagingtest.Options{Emulator: func(o *waemu.Options) {
		o.StatusOrder = waemu.Reversed
		o.DuplicateStatuses = true
	}}
	forEachBackend(t, opts, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		waitIdle(t, e)
		// Every status webhook was delivered (twice) and processed once.
		var got *recrubo.Message
		eventually.Succeeds(t, "events processed", func() error {
			n, err := e.DB.CountEvents(ctx, e.Tenant.ID, recrubo.SourceWhatsApp)
			if err != nil {
				return err
			}
			if n != 3 {
				return recrubo.Errorf(recrubo.ECONFLICT, "%d events stored, want 3", n)
			}
			if got, err = e.DB.Message(ctx, e.Tenant.ID, m.ID); err != nil {
				return err
			}
			for _, st := range []string{"sent", "delivered", "read"} {
				ev, err := e.DB.Event(ctx, e.Tenant.ID, recrubo.SourceWhatsApp, "status:"+got.ProviderID+":"+st)
				if err != nil {
					return err
				}
				if ev.ProcessedAt.IsZero() {
					return recrubo.Errorf(recrubo.ECONFLICT, "%s not processed yet", ev.ID)
				}
			}
			return nil
		})
		got, err = e.DB.Message(ctx, e.Tenant.ID, m.ID)
		must(t, err)
		if got.Status != recrubo.StatusRead || got.SentAt.IsZero() || got.DeliveredAt.IsZero() || got.ReadAt.IsZero() {
			t.Fatalf("after reversed, doubled statuses: %+v", got)
		}
	})
}

func TestStatusBeforeItsMessageIsKeptPending(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		at := e.Clock.Now().Truncate(time.Second)
		for _, st := range []string{"delivered", "sent"} {
			if code, body := post(t, e.WebhookURL, messagingtest.AppSecret, statusPayload("wamid.early", st, at)); code != http.StatusOK {
				t.Fatalf("posting %s status: %d %s", st, code, body)
			}
		}
		// Both events, not only the last posted, must be processed (kept
		// pending) before the message appears; their jobs run in any order.
		eventually.Succeeds(t, "pending statuses processed", func() error {
			for _, st := range []string{"delivered", "sent"} {
				ev, err := e.DB.Event(ctx, e.Tenant.ID, recrubo.SourceWhatsApp, "status:wamid.early:"+st)
				if err != nil {
					return err
				}
				if ev.Outcome != "pending" {
					return recrubo.Errorf(recrubo.ECONFLICT, "%s outcome %q", st, ev.Outcome)
				}
			}
			return nil
		})
		// The message is stored, then the send's answer names the wamid
		// those statuses were about.
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		conv, err := e.Service.ConversationForCandidate(ctx, e.Tenant, "c1")
		must(t, err)
		m := &recrubo.Message{TenantID: e.Tenant.ID, ConversationID: conv.ID, Direction: recrubo.Outbound,
			SenderID: "u1", Body: "x", Status: recrubo.StatusQueued, SendAttempt: 1}
		_, err = e.DB.AddMessage(ctx, m)
		must(t, err)
		must(t, messaging.Accept(ctx, e.Service, e.Tenant, m.ID, 1, "wamid.early"))
		got, err := e.DB.Message(ctx, e.Tenant.ID, m.ID)
		must(t, err)
		if got.Status != recrubo.StatusDelivered || got.SentAt.IsZero() || got.ProviderID != "wamid.early" {
			t.Fatalf("after accept = %+v", got)
		}
		if ps, _ := e.DB.TakePendingStatuses(ctx, e.Tenant.ID, "wamid.early"); len(ps) != 0 {
			t.Errorf("pending statuses left: %+v", ps)
		}
	})
}

func waitIdle(t *testing.T, e *messagingtest.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	must(t, e.Emu.WaitIdle(ctx))
}
