package messaging_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	"github.com/google/go-cmp/cmp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// byKind returns the conversation's messages by kind, failing when a
// kind is there twice.
func byKind(t *testing.T, ms []*recrubo.Message) map[recrubo.MessageKind]*recrubo.Message {
	t.Helper()
	out := map[recrubo.MessageKind]*recrubo.Message{}
	for _, m := range ms {
		k := recrubo.KindOf(m)
		if out[k] != nil && k != recrubo.KindText {
			t.Fatalf("two %s messages", k)
		}
		out[k] = m
	}
	return out
}

// mediaState waits until the message's file is no longer pending.
func mediaState(t *testing.T, e *messagingtest.Env, messageID string) *recrubo.MediaFile {
	t.Helper()
	var f *recrubo.MediaFile
	eventually.Succeeds(t, "the file of "+messageID, func() error {
		var err error
		if f, err = e.DB.MediaFile(context.Background(), e.Tenant.ID, messageID, true); err != nil {
			return err
		}
		if f.State == recrubo.MediaPending {
			return fmt.Errorf("still pending")
		}
		return nil
	})
	return f
}

func TestEveryInboundKindIsStoredWhole(t *testing.T) {
	forEachBackend(t, messagingtest.Options{Messaging: func(c *messaging.Config) { c.MaxMediaBytes = 64 << 10 }},
		func(t *testing.T, e *messagingtest.Env) {
			ctx := context.Background()
			e.AddCandidate(t, "c1", "Eva", "06-12345678")
			const from = "31612345678"
			cv := []byte("%PDF-1.4\n% het cv van Eva\n")
			photo := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0}, 100)
			huge := bytes.Repeat([]byte("x"), 65<<10)
			ins := []waemu.Inbound{
				{From: from, Text: "Hier is mijn cv"},
				{From: from, Type: "document", Filename: "cv-eva.pdf", Text: "Mijn cv", Content: cv},
				{From: from, Type: "image", Text: "Rijbewijs", Content: photo},
				{From: from, Type: "audio"},
				{From: from, Type: "video", Content: huge},
				{From: from, Type: "sticker"},
				{From: from, Type: "location", Text: "Kantoor", Address: "Damrak 1, Amsterdam", Latitude: 52.37, Longitude: 4.89},
				{From: from, Type: "contacts", Contacts: []waemu.InboundContact{{Name: "Pieter de Boer", Company: "Bouw BV",
					Phones: []string{"+31 6 11112222", "020-1234567"}, Emails: []string{"pieter@example.nl"}}}},
				{From: from, Type: "button", Text: "Ja, ik kom"},
				{From: from, Type: "interactive", Interactive: "list_reply", ReplyID: "slot-2", Text: "Dinsdag 10:00", Description: "Kantoor Amsterdam"},
				{From: from, Type: "unsupported"},
			}
			for _, in := range ins {
				e.Simulate(t, in)
			}
			_, ms := e.ConversationWithMessages(t, "+"+from, len(ins))
			k := byKind(t, ms)

			doc := k[recrubo.KindDocument]
			if doc == nil || doc.Body != "Mijn cv" || doc.Content.Media == nil || doc.Content.Media.Filename != "cv-eva.pdf" ||
				doc.Content.Media.MimeType != "application/pdf" {
				t.Fatalf("document = %+v", doc)
			}
			if f := mediaState(t, e, doc.ID); f.State != recrubo.MediaStored || !bytes.Equal(f.Data, cv) || f.Filename != "cv-eva.pdf" {
				t.Errorf("document file = %+v", f)
			}
			if f := mediaState(t, e, k[recrubo.KindImage].ID); f.State != recrubo.MediaStored || !bytes.Equal(f.Data, photo) {
				t.Errorf("image file = %s %d bytes", f.State, len(f.Data))
			}
			if f := mediaState(t, e, k[recrubo.KindAudio].ID); f.State != recrubo.MediaStored || !k[recrubo.KindAudio].Content.Media.Voice {
				t.Errorf("voice note = %s %+v", f.State, k[recrubo.KindAudio].Content.Media)
			}
			if f := mediaState(t, e, k[recrubo.KindVideo].ID); f.State != recrubo.MediaTooLarge || len(f.Data) != 0 || f.Size != int64(len(huge)) {
				t.Errorf("a file over the limit: %s, %d bytes kept, size %d", f.State, len(f.Data), f.Size)
			}
			if f := mediaState(t, e, k[recrubo.KindSticker].ID); f.State != recrubo.MediaStored || f.MimeType != "image/webp" {
				t.Errorf("sticker = %+v", f)
			}
			loc := k[recrubo.KindLocation]
			if diff := cmp.Diff(&recrubo.GeoLocation{Latitude: 52.37, Longitude: 4.89, Name: "Kantoor", Address: "Damrak 1, Amsterdam"}, loc.Content.Location); diff != "" {
				t.Errorf("location (-want +got):\n%s", diff)
			}
			wantCards := []recrubo.ContactCard{{Name: "Pieter de Boer", Organization: "Bouw BV", Emails: []string{"pieter@example.nl"},
				Phones: []recrubo.ContactPhone{{Phone: "+31 6 11112222", WaID: "31611112222", Type: "CELL"}, {Phone: "020-1234567", Type: "WORK"}}}}
			if diff := cmp.Diff(wantCards, k[recrubo.KindContacts].Content.Contacts); diff != "" {
				t.Errorf("contacts (-want +got):\n%s", diff)
			}
			if r := k[recrubo.KindInteractive].Content.Reply; r == nil || r.Kind != "list_reply" || r.ID != "slot-2" ||
				r.Title != "Dinsdag 10:00" || r.Description != "Kantoor Amsterdam" {
				t.Errorf("list reply = %+v", r)
			}
			if r := k[recrubo.KindButton].Content.Reply; r == nil || r.Title != "Ja, ik kom" {
				t.Errorf("button reply = %+v", r)
			}
			if u := k[recrubo.KindUnsupported]; len(u.Content.Errors) != 1 || u.Content.Errors[0].Code != 131051 {
				t.Errorf("unsupported = %+v", u)
			}
			conv, err := e.DB.ConversationByPhone(ctx, e.Tenant.ID, recrubo.ChannelWhatsApp, "+"+from)
			must(t, err)
			if conv.LastInboundAt.IsZero() || conv.CandidateID != "c1" {
				t.Errorf("conversation = %+v", conv)
			}
		})
}

func TestReactionsBelongToTheirMessage(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "Hoi")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: "u1", Body: "Kun je dinsdag?"})
		must(t, err)
		sent := e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		window := conv.LastInboundAt

		reactions := func(want string) {
			t.Helper()
			eventually.Succeeds(t, "reactions "+want, func() error {
				rs, err := e.DB.ConversationReactions(ctx, e.Tenant.ID, conv.ID)
				if err != nil {
					return err
				}
				got := recrubo.ReactionSummary(rs)
				if got != want {
					return fmt.Errorf("reactions %q", got)
				}
				for _, r := range rs {
					if r.MessageProviderID != sent.ProviderID {
						return fmt.Errorf("a reaction on %s, not on the recruiter's message", r.MessageProviderID)
					}
				}
				return nil
			})
		}
		e.Simulate(t, waemu.Inbound{From: "31612345678", Type: "reaction", ReactTo: sent.ProviderID, Emoji: "👍"})
		reactions("👍")
		e.Clock.Advance(time.Second)
		e.Simulate(t, waemu.Inbound{From: "31612345678", Type: "reaction", ReactTo: sent.ProviderID})
		reactions("")
		must(t, e.Emu.WaitIdle(ctx))
		// Reactions are no messages: the thread has the two it had, and the
		// window is as the last text left it.
		ms, err := e.DB.Messages(ctx, e.Tenant.ID, conv.ID, 10)
		must(t, err)
		if len(ms) != 2 {
			t.Errorf("%d messages after reacting, want 2: %+v", len(ms), ms)
		}
		after, err := e.DB.Conversation(ctx, e.Tenant.ID, conv.ID)
		must(t, err)
		if !after.LastInboundAt.Equal(window) {
			t.Errorf("a reaction moved the window from %v to %v", window, after.LastInboundAt)
		}
	})
}

func TestValueLevelErrorsAreRecorded(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		must(t, e.Emu.SimulateError(waemu.ValueError{Code: 131031, Title: "Business Account locked", Details: "Your account is locked."}))
		var es []*recrubo.WhatsAppError
		eventually.Succeeds(t, "the error recorded", func() error {
			var err error
			es, err = e.DB.WhatsAppErrors(ctx, e.Tenant.ID, time.Time{}, 10)
			if err == nil && len(es) != 1 {
				err = fmt.Errorf("%d errors", len(es))
			}
			return err
		})
		if es[0].Code != 131031 || es[0].Title != "Business Account locked" || es[0].Details != "Your account is locked." {
			t.Errorf("error = %+v", es[0])
		}
		// Meta redelivers: recorded once.
		deliveries := e.Emu.Deliveries()
		body := deliveries[len(deliveries)-1].Body
		if code, ack := post(t, e.WebhookURL, messagingtest.AppSecret, body); code != 200 || !strings.Contains(ack, `"accepted":0`) {
			t.Fatalf("redelivery answered %d %s, want 200 with nothing new", code, ack)
		}
		es, err := e.DB.WhatsAppErrors(ctx, e.Tenant.ID, time.Time{}, 10)
		must(t, err)
		if len(es) != 1 {
			t.Errorf("%d errors after a redelivery, want 1", len(es))
		}
	})
}

func TestTemplatesSyncedWithPagingAndChangedByWebhook(t *testing.T) {
	var tpls []waemu.Template
	for i := range 12 {
		tpls = append(tpls, waemu.Template{Name: fmt.Sprintf("sjabloon_%02d", i), Language: "nl", Category: waemu.CategoryUtility,
			Status: waemu.TemplateApproved, Body: "Hoi {{1}}"})
	}
	tpls[3].Status, tpls[3].Reason = waemu.TemplateRejected, "INVALID_FORMAT"
	tpls[4] = waemu.Template{Name: "sjabloon_04", Language: "nl", Category: waemu.CategoryMarketing, Status: waemu.TemplateApproved,
		Header: "Vacature {{1}}", Body: "Hoi {{1}}, bekijk {{2}}", Footer: "Acme", Buttons: []string{"Ja", "Nee"}, Examples: []string{"Lasser", "Eva", "hem"}}
	opts := messagingtest.Options{Emulator: func(o *waemu.Options) { o.Templates, o.TemplatePageSize = tpls, 5 }}
	forEachBackend(t, opts, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		n, err := e.Service.SyncTemplates(ctx, e.Tenant)
		must(t, err)
		if n != 12 {
			t.Fatalf("synced %d templates, want 12 over three pages", n)
		}
		ts, err := e.DB.Templates(ctx, e.Tenant.ID)
		must(t, err)
		if len(ts) != 12 { // the three seeded only in the store are gone
			t.Fatalf("%d templates stored, want 12", len(ts))
		}
		lookup := func(name string) *recrubo.MessageTemplate {
			ts, err := e.DB.Templates(ctx, e.Tenant.ID)
			must(t, err)
			for _, tp := range ts {
				if tp.Name == name {
					return tp
				}
			}
			return nil
		}
		find := func(name string) *recrubo.MessageTemplate {
			tp := lookup(name)
			if tp == nil {
				t.Fatalf("no template %s", name)
			}
			return tp
		}
		if r := find("sjabloon_03"); r.Status != recrubo.TemplateRejected || r.Reason != "INVALID_FORMAT" {
			t.Errorf("rejected template = %+v", r)
		}
		rich := find("sjabloon_04")
		if rich.HeaderText() != "Vacature {{1}}" || rich.Footer() != "Acme" || len(rich.Buttons()) != 2 || rich.Variables != 3 ||
			strings.Join(rich.Examples(), ",") != "Lasser,Eva,hem" || rich.ProviderID == "" {
			t.Errorf("template with header, footer and buttons = %+v", rich)
		}
		health, err := e.DB.WhatsAppHealth(ctx, e.Tenant.ID)
		must(t, err)
		if health.Templates.Count != 12 || health.Templates.At.IsZero() || health.Templates.Error != "" {
			t.Errorf("health = %+v", health.Templates)
		}

		// A header variable goes in the header: the emulator checks the
		// count per component.
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		m, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "sjabloon_04", Language: "nl", Vars: []string{"Lasser", "Eva", "hier"}}})
		must(t, err)
		if m.Body != "Vacature Lasser\nHoi Eva, bekijk hier" {
			t.Errorf("body = %q", m.Body)
		}
		e.MessageWithStatus(t, m.ID, recrubo.StatusRead)

		// Meta pauses a template: the webhook changes it, and it can no
		// longer be sent.
		must(t, e.Emu.SetTemplateStatus(waemu.TemplateStatusChange{Name: "sjabloon_04", Language: "nl", Status: "PAUSED", Reason: "LOW_QUALITY"}))
		eventually.Succeeds(t, "the template paused", func() error {
			if tp := find("sjabloon_04"); tp.Status != recrubo.TemplatePaused || tp.Reason != "LOW_QUALITY" {
				return fmt.Errorf("template = %s %q", tp.Status, tp.Reason)
			}
			return nil
		})
		_, err = e.Service.Send(ctx, e.Tenant, messaging.SendRequest{CandidateID: "c1", SenderID: "u1",
			Template: &messaging.Template{Name: "sjabloon_04", Language: "nl", Vars: []string{"Lasser", "Eva", "hier"}}})
		wantCode(t, err, recrubo.EINVALID)

		// A template made at Meta since the sync is read when its status
		// changes.
		must(t, e.Emu.RegisterTemplate(waemu.Template{Name: "nieuw_sjabloon", Language: "en_US", Category: waemu.CategoryUtility,
			Status: waemu.TemplatePending, Body: "New"}))
		must(t, e.Emu.SetTemplateStatus(waemu.TemplateStatusChange{Name: "nieuw_sjabloon", Language: "en_US", Status: "APPROVED"}))
		eventually.Succeeds(t, "the new template synced", func() error {
			if tp := lookup("nieuw_sjabloon"); tp == nil || tp.Status != recrubo.TemplateApproved {
				return fmt.Errorf("template %+v", tp)
			}
			return nil
		})
	})
}

func TestConnectChecksTheTokenAndDisconnectForgets(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		fresh := messagingtest.NewTenant("bravo", "")
		fresh.WhatsApp = recrubo.WhatsAppSettings{}
		must(t, e.DB.CreateTenant(ctx, fresh))
		settings := recrubo.WhatsAppSettings{APIBaseURL: e.Emu.URL(), PhoneNumberID: messagingtest.PhoneNumberID,
			BusinessAccountID: waemu.DefaultBusinessAccountID, AccessToken: recrubo.NewSecret("wrong"), AppSecret: recrubo.NewSecret("s")}

		_, err := e.Service.Connect(ctx, fresh, settings)
		wantCode(t, err, recrubo.EUNAUTHORIZED)
		stored, err := e.DB.TenantByID(ctx, fresh.ID)
		must(t, err)
		if stored.WhatsApp.Enabled() {
			t.Fatal("a refused token was stored")
		}
		incomplete := settings
		incomplete.BusinessAccountID = ""
		_, err = e.Service.Connect(ctx, fresh, incomplete)
		wantCode(t, err, recrubo.EINVALID)

		settings.AccessToken = recrubo.NewSecret(messagingtest.AccessToken)
		conn, err := e.Service.Connect(ctx, fresh, settings)
		must(t, err)
		if !conn.Check.OK || conn.Check.VerifiedName == "" || conn.Templates != 2 || conn.TemplatesErr != nil {
			t.Errorf("connection = %+v", conn)
		}
		stored, err = e.DB.TenantByID(ctx, fresh.ID)
		must(t, err)
		if !stored.WhatsApp.Enabled() || stored.WhatsApp.VerifyToken.IsZero() || stored.WhatsApp.AccessToken.Reveal() != messagingtest.AccessToken ||
			stored.WhatsApp.ConnectedAt.IsZero() {
			t.Errorf("stored settings = %+v", stored.WhatsApp)
		}
		health, err := e.DB.WhatsAppHealth(ctx, fresh.ID)
		must(t, err)
		if !health.Check.OK || health.Templates.Count != 2 {
			t.Errorf("health = %+v", health)
		}

		must(t, e.Service.Disconnect(ctx, stored))
		stored, err = e.DB.TenantByID(ctx, fresh.ID)
		must(t, err)
		ts, _ := e.DB.Templates(ctx, fresh.ID)
		health, _ = e.DB.WhatsAppHealth(ctx, fresh.ID)
		if stored.WhatsApp.Enabled() || !stored.WhatsApp.AccessToken.IsZero() || len(ts) != 0 || health.Check.OK {
			t.Errorf("after disconnect: %+v, %d templates, %+v", stored.WhatsApp, len(ts), health)
		}
	})
}

func TestRecruiterSendsADocument(t *testing.T) {
	forEachBackend(t, messagingtest.Options{}, func(t *testing.T, e *messagingtest.Env) {
		ctx := context.Background()
		e.AddCandidate(t, "c1", "Eva", "06-12345678")
		pdf := []byte("%PDF-1.4\nvacaturetekst\n")
		req := messaging.SendRequest{CandidateID: "c1", SenderID: "u1", Body: "De vacature",
			File: &messaging.File{Name: "vacature.pdf", MimeType: "application/pdf", Data: pdf}}
		_, err := e.Service.Send(ctx, e.Tenant, req)
		wantCode(t, err, recrubo.EINVALID) // the window is closed

		e.Inbound(t, "31612345678", "Stuur maar")
		e.ConversationWithMessages(t, "+31612345678", 1)
		bad := req
		bad.File = &messaging.File{Name: "vacature.pdf", MimeType: "application/pdf", Data: []byte("<html>")}
		_, err = e.Service.Send(ctx, e.Tenant, bad)
		wantCode(t, err, recrubo.EINVALID)
		m, err := e.Service.Send(ctx, e.Tenant, req)
		must(t, err)
		if m.Kind != recrubo.KindDocument || m.Content.Media.Filename != "vacature.pdf" {
			t.Errorf("message = %+v", m)
		}
		e.MessageWithStatus(t, m.ID, recrubo.StatusRead)
		sent := e.Emu.SentMessages()
		if len(sent) != 1 || sent[0].Type != "document" || sent[0].Filename != "vacature.pdf" || sent[0].Body != "De vacature" {
			t.Fatalf("emulator got %+v", sent)
		}
		if data, mt, ok := e.Emu.MediaFile(sent[0].MediaID); !ok || !bytes.Equal(data, pdf) || mt != "application/pdf" {
			t.Errorf("uploaded %q %q %v", data, mt, ok)
		}
	})
}
