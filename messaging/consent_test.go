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

// processed waits until the stored WhatsApp event id is processed.
func processed(t *testing.T, e *messagingtest.Env, id string) {
	t.Helper()
	eventually.Succeeds(t, id+" processed", func() error {
		ev, err := e.DB.Event(context.Background(), e.Tenant.ID, recrubo.SourceWhatsApp, id)
		if err != nil {
			return err
		}
		if ev.ProcessedAt.IsZero() {
			return recrubo.Errorf(recrubo.ECONFLICT, "%s not processed yet", id)
		}
		return nil
	})
}

// An older START processed after a newer STOP does not opt the candidate
// in again: webhook events are processed in any order.
func TestOlderStartDoesNotUndoNewerStop(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		at := e.Clock.Now().Truncate(time.Second)
		for _, d := range []struct {
			wamid, text string
			at          time.Time
		}{
			{"wamid.stop", "STOP", at.Add(10 * time.Second)},
			{"wamid.start", "START", at},
		} {
			if code, body := post(t, e.WebhookURL, messagingtest.AppSecret, textPayload(d.wamid, "31612345678", d.text, d.at)); code != http.StatusOK {
				t.Fatalf("posting %s: %d %s", d.text, code, body)
			}
			processed(t, e, "message:"+d.wamid)
		}
		c, err := e.DB.Consent(ctx, e.Tenant.ID, "+31612345678")
		must(t, err)
		if !c.OptedOut || c.Source != messaging.SourceStopKeyword || !c.At.Equal(at.Add(10*time.Second)) {
			t.Fatalf("after STOP at T+10s and START at T, processed in that order: %+v", c)
		}
	})
}

// Every stop keyword, in any case, with white space around and
// punctuation after it, typed or tapped as a button, opts a sender out.
func TestStopKeywordsOptOut(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		cases := []waemu.Inbound{
			{Text: "STOP"}, {Text: "stop"}, {Text: "afmelden"}, {Text: "uitschrijven"},
			{Text: "Stop."}, {Text: "STOP!"}, {Text: " afmelden "}, {Text: "Uitschrijven!!"},
			{Type: "button", Text: "Stop"}, {Type: "interactive", Text: "Afmelden."},
		}
		for i, in := range cases {
			in.From = "3161234560" + string(rune('0'+i))
			if _, err := e.Emu.SimulateInbound(in); err != nil {
				t.Fatal(err)
			}
		}
		// Not keywords: a sentence that contains one, and a negation.
		for i, text := range []string{"stop met bellen aub", "niet stoppen"} {
			if _, err := e.Emu.SimulateInbound(waemu.Inbound{From: "3162234560" + string(rune('0'+i)), Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		for i, in := range cases {
			phone := "+3161234560" + string(rune('0'+i))
			eventually.Succeeds(t, "opt-out by "+in.Type+" "+in.Text, func() error {
				c, err := e.DB.Consent(ctx, e.Tenant.ID, phone)
				if err != nil {
					return err
				}
				if !c.OptedOut || c.Source != messaging.SourceStopKeyword {
					return recrubo.Errorf(recrubo.ECONFLICT, "%q (%s) left consent %+v", in.Text, in.Type, c)
				}
				return nil
			})
		}
		for i := range 2 {
			phone := "+3162234560" + string(rune('0'+i))
			e.ConversationWithMessages(t, phone, 1)
			if c, err := e.DB.Consent(ctx, e.Tenant.ID, phone); err != nil || c.OptedOut {
				t.Fatalf("a message that is no keyword opted %s out: %+v, %v", phone, c, err)
			}
		}
		// The stored messages read as opt-outs (the dashboard counts them
		// as no reply), the others do not.
		for prefix, want := range map[string]bool{"+3161234560": true, "+3162234560": false} {
			for i := range map[bool]int{true: len(cases), false: 2}[want] {
				phone := prefix + string(rune('0'+i))
				_, msgs := e.ConversationWithMessages(t, phone, 1)
				for _, m := range msgs {
					if got := messaging.IsOptOut(m); got != want {
						t.Errorf("IsOptOut(%q from %s) = %v, want %v", m.Body, phone, got, want)
					}
				}
			}
		}
	})
}

// A message queued before the candidate replied STOP is not sent when its
// job runs after the STOP: it fails with the opt-out as reason.
func TestStopAfterQueuingFailsTheSend(t *testing.T) {
	forEachBackend(t, messagingtest.Options{NoJobs: true}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		rec := e.Inbound(t, "31612345678", "STOP!")
		waitIdle(t, e)
		must(t, e.Service.HandleEvent(ctx, messaging.EventJob{TenantID: e.Tenant.ID, EventID: "message:" + rec.ID}))
		must(t, e.Service.HandleSend(ctx, messaging.SendJob{TenantID: e.Tenant.ID, MessageID: m.ID, Attempt: 1}))
		got, err := e.DB.Message(ctx, e.Tenant.ID, m.ID)
		must(t, err)
		if got.Status != recrubo.StatusFailed || got.FailCode != recrubo.FailOptedOut || !strings.Contains(got.FailReason, "opted out") {
			t.Fatalf("message queued before STOP = %+v", got)
		}
		if sent := e.Emu.SentMessages(); len(sent) != 0 {
			t.Fatalf("WhatsApp received %+v after STOP", sent)
		}
	})
}
