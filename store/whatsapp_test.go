package store_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestWhatsAppContent(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "MessageKindAndContentRoundTrip", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			in := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Inbound, Status: recrubo.StatusReceived,
				Kind: recrubo.KindContacts, Body: "Pieter de Boer", ProviderID: "wamid.c", ReplyTo: "wamid.earlier", CreatedAt: at(2),
				Content: recrubo.MessageContent{Contacts: []recrubo.ContactCard{{Name: "Pieter de Boer", Organization: "Bouw BV",
					Phones: []recrubo.ContactPhone{{Phone: "+31 6 12345678", WaID: "31612345678", Type: "CELL"}, {Phone: "020-1234567", Type: "WORK"}},
					Emails: []string{"p@example.nl"}}}}}
			_, err := db.AddMessage(t.Context(), in)
			must(t, err)
			got, err := db.Message(t.Context(), tn.ID, in.ID)
			must(t, err)
			if d := diff(in, got); d != "" {
				t.Errorf("message read back (-want +got):\n%s", d)
			}
		}},
		{name: "MediaStoredAndServedWithoutLoadingContentByDefault", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			m := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Inbound, Status: recrubo.StatusReceived,
				Kind: recrubo.KindDocument, ProviderID: "wamid.d", CreatedAt: at(2)}
			_, err := db.AddMessage(t.Context(), m)
			must(t, err)
			f := &recrubo.MediaFile{TenantID: tn.ID, MessageID: m.ID, ProviderID: "1002", MimeType: "application/pdf", Filename: "cv.pdf",
				State: recrubo.MediaPending}
			must(t, db.SaveMedia(t.Context(), f))
			data := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)
			f.State, f.Data, f.Size, f.SHA256, f.StoredAt = recrubo.MediaStored, data, int64(len(data)), "abc", at(3)
			must(t, db.SaveMedia(t.Context(), f))
			// Another instance (a second handle on the same database) serves it.
			other := e.Open(t)
			got, err := other.MediaFile(t.Context(), tn.ID, m.ID, true)
			must(t, err)
			if !bytes.Equal(got.Data, data) || got.State != recrubo.MediaStored || got.Filename != "cv.pdf" || !got.StoredAt.Equal(at(3)) {
				t.Errorf("file = %+v (%d bytes)", got, len(got.Data))
			}
			list, err := other.ConversationMedia(t.Context(), tn.ID, c.ID)
			must(t, err)
			if len(list) != 1 || list[0].Data != nil || list[0].Size != int64(len(data)) {
				t.Errorf("conversation media = %+v", list)
			}
			wantCode(t, db.SaveMedia(t.Context(), &recrubo.MediaFile{TenantID: tn.ID, MessageID: "nope", State: recrubo.MediaPending}), recrubo.ENOTFOUND)
			_, err = db.MediaFile(t.Context(), createTenant(t, db, "other").ID, m.ID, true)
			wantCode(t, err, recrubo.ENOTFOUND)
		}},
		{name: "ReactionsReplaceRemoveAndNeverGoBack", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			set := func(emoji string, when int) bool {
				t.Helper()
				ok, err := db.SetReaction(t.Context(), &recrubo.Reaction{TenantID: tn.ID, ConversationID: c.ID,
					MessageProviderID: "wamid.x", Reactor: "+31612345678", Emoji: emoji, At: at(when)})
				must(t, err)
				return ok
			}
			emojis := func() string {
				t.Helper()
				rs, err := db.ConversationReactions(t.Context(), tn.ID, c.ID)
				must(t, err)
				return recrubo.ReactionSummary(rs)
			}
			set("👍", 10)
			if got := emojis(); got != "👍" {
				t.Errorf("after a reaction: %q", got)
			}
			set("❤️", 11)
			if got := emojis(); got != "❤️" {
				t.Errorf("after a new reaction: %q, want it replaced", got)
			}
			if set("😂", 9) {
				t.Error("an older reaction replaced a newer one")
			}
			set("", 12)
			if got := emojis(); got != "" {
				t.Errorf("after removal: %q", got)
			}
			if set("👍", 11) || emojis() != "" {
				t.Error("a reaction older than its removal came back")
			}
		}},
		{name: "TemplatesReplacedAndStatusChanged", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			must(t, db.SaveTemplate(t.Context(), &recrubo.MessageTemplate{TenantID: tn.ID, Name: "oud", Language: "nl",
				Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved, Body: "Oud"}))
			rich := &recrubo.MessageTemplate{Name: "intake", Language: "nl", Category: recrubo.CategoryUtility,
				Status: recrubo.TemplateApproved, Body: "Hoi {{1}}, kom je {{2}}?", ProviderID: "900",
				Components: []recrubo.TemplateComponent{
					{Type: "header", Format: "text", Text: "Voor {{1}}", Examples: []string{"Sanne"}},
					{Type: "body", Text: "Hoi {{1}}, kom je {{2}}?", Examples: []string{"Sanne", "dinsdag"}},
					{Type: "footer", Text: "Acme"},
					{Type: "buttons", Buttons: []recrubo.TemplateButton{{Type: "quick_reply", Text: "Ja"}}},
				}}
			paused := &recrubo.MessageTemplate{Name: "nieuws", Language: "en_US", Category: recrubo.CategoryMarketing,
				Status: recrubo.TemplatePaused, Body: "News", Reason: "LOW_QUALITY"}
			added, changed, removed, err := db.ReplaceTemplates(t.Context(), tn.ID, []*recrubo.MessageTemplate{rich, paused})
			must(t, err)
			if added != 2 || changed != 0 || removed != 1 {
				t.Errorf("replace = %d added, %d changed, %d removed; want 2, 0, 1", added, changed, removed)
			}
			ts, err := db.Templates(t.Context(), tn.ID)
			must(t, err)
			if len(ts) != 2 || ts[0].Name != "intake" || ts[0].Variables != 3 || ts[0].HeaderVariables() != 1 ||
				ts[0].Footer() != "Acme" || len(ts[0].Buttons()) != 1 || ts[1].Reason != "LOW_QUALITY" || ts[1].Status != recrubo.TemplatePaused {
				t.Fatalf("templates = %+v", ts)
			}
			if got := ts[0].Render([]string{"Sanne", "Piet", "dinsdag"}); got != "Voor Sanne\nHoi Piet, kom je dinsdag?" {
				t.Errorf("Render = %q", got)
			}
			added, changed, removed, err = db.ReplaceTemplates(t.Context(), tn.ID, []*recrubo.MessageTemplate{rich, paused})
			must(t, err)
			if added+changed+removed != 0 {
				t.Errorf("an unchanged sync changed %d, %d, %d", added, changed, removed)
			}
			found, err := db.SetTemplateStatus(t.Context(), tn.ID, "nieuws", "en_US", recrubo.TemplateApproved, "NONE", at(5))
			must(t, err)
			if !found {
				t.Fatal("status change found no template")
			}
			if found, _ := db.SetTemplateStatus(t.Context(), tn.ID, "onbekend", "nl", recrubo.TemplateApproved, "", at(5)); found {
				t.Error("status change of an unknown template reported found")
			}
			ts, err = db.Templates(t.Context(), tn.ID)
			must(t, err)
			if ts[1].Status != recrubo.TemplateApproved {
				t.Errorf("status after change = %s", ts[1].Status)
			}
		}},
		{name: "HealthAndValueErrors", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			h, err := db.WhatsAppHealth(t.Context(), tn.ID)
			must(t, err)
			if !h.Check.At.IsZero() || !h.Templates.At.IsZero() {
				t.Errorf("health before anything = %+v", h)
			}
			must(t, db.SaveWhatsAppCheck(t.Context(), tn.ID, recrubo.WhatsAppCheck{At: at(1), OK: true, DisplayPhoneNumber: "31201234567",
				VerifiedName: "Acme", QualityRating: "GREEN"}))
			must(t, db.SaveTemplateSync(t.Context(), tn.ID, recrubo.TemplateSync{At: at(2), Count: 4}))
			h, err = db.WhatsAppHealth(t.Context(), tn.ID)
			must(t, err)
			want := &recrubo.WhatsAppHealth{TenantID: tn.ID,
				Check:     recrubo.WhatsAppCheck{At: at(1), OK: true, DisplayPhoneNumber: "31201234567", VerifiedName: "Acme", QualityRating: "GREEN"},
				Templates: recrubo.TemplateSync{At: at(2), Count: 4}}
			if d := diff(want, h); d != "" {
				t.Errorf("health (-want +got):\n%s", d)
			}
			e1 := &recrubo.WhatsAppError{TenantID: tn.ID, ID: "err-1", Code: 131031, Title: "Business Account locked", At: at(3)}
			for range 2 {
				added, err := db.AddWhatsAppError(t.Context(), e1)
				must(t, err)
				_ = added
			}
			_, err = db.AddWhatsAppError(t.Context(), &recrubo.WhatsAppError{TenantID: tn.ID, ID: "err-2", Code: 131000, At: at(4)})
			must(t, err)
			es, err := db.WhatsAppErrors(t.Context(), tn.ID, at(0), 10)
			must(t, err)
			if len(es) != 2 || es[0].ID != "err-2" || es[1].Code != 131031 {
				t.Errorf("errors = %+v", es)
			}
			must(t, db.ForgetWhatsApp(t.Context(), tn.ID))
			h, err = db.WhatsAppHealth(t.Context(), tn.ID)
			must(t, err)
			es, _ = db.WhatsAppErrors(t.Context(), tn.ID, at(0), 10)
			if !h.Check.At.IsZero() || len(es) != 0 {
				t.Errorf("after forgetting: %+v, %d errors", h, len(es))
			}
		}},
		{name: "BroadcastRecipientsSettleOnce", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			b := &recrubo.Broadcast{TenantID: tn.ID, VacancyID: "v1", TemplateName: "vacature", TemplateLanguage: "nl",
				Vars: []string{"{first_name}"}, CreatedBy: "u1", RequestKey: "k1"}
			var rs []*recrubo.BroadcastRecipient
			for i := range 5 {
				rs = append(rs, &recrubo.BroadcastRecipient{CandidateID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Kandidaat %d", i)})
			}
			created, err := db.CreateBroadcast(t.Context(), b, rs)
			must(t, err)
			if !created || b.ID == "" || b.Total != 5 || b.State != recrubo.BroadcastRunning {
				t.Fatalf("created %v: %+v", created, b)
			}
			again := &recrubo.Broadcast{TenantID: tn.ID, VacancyID: "v1", TemplateName: "vacature", TemplateLanguage: "nl", RequestKey: "k1"}
			created, err = db.CreateBroadcast(t.Context(), again, rs[:1])
			must(t, err)
			if created || again.ID != b.ID || again.Total != 5 {
				t.Fatalf("the same request made another broadcast: %v %+v", created, again)
			}
			pending, err := db.PendingRecipients(t.Context(), tn.ID, b.ID, 2)
			must(t, err)
			if len(pending) != 2 || pending[0].CandidateID != "c0" || pending[1].Position != 2 {
				t.Fatalf("pending = %+v", pending)
			}
			// Two instances settle the same recipient at once: one wins.
			var wg sync.WaitGroup
			wins := make(chan bool, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := *pending[0]
					r.State, r.MessageID = recrubo.RecipientQueued, fmt.Sprintf("m%d", i)
					ok, err := e.Open(t).SettleRecipient(t.Context(), &r)
					if err != nil {
						t.Error(err)
					}
					wins <- ok
				}()
			}
			wg.Wait()
			close(wins)
			n := 0
			for ok := range wins {
				if ok {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d settlements of one recipient won, want 1", n)
			}
			skip := *pending[1]
			skip.State, skip.Reason = recrubo.RecipientSkipped, recrubo.SkipOptedOut
			ok, err := db.SettleRecipient(t.Context(), &skip)
			must(t, err)
			if !ok {
				t.Error("skipping a pending recipient failed")
			}
			res, err := db.BroadcastResults(t.Context(), tn.ID, b.ID)
			must(t, err)
			if len(res) != 5 || res[0].State != recrubo.RecipientQueued || res[1].Reason != recrubo.SkipOptedOut || res[2].State != recrubo.RecipientPending {
				t.Errorf("results = %+v", res)
			}
			ids, err := db.TemplateRecipients(t.Context(), tn.ID, "v1", "vacature", "nl")
			must(t, err)
			if len(ids) != 1 || ids[0] != "c0" {
				t.Errorf("template recipients = %v", ids)
			}
			must(t, db.FinishBroadcast(t.Context(), tn.ID, b.ID, at(9)))
			bs, err := db.VacancyBroadcasts(t.Context(), tn.ID, "v1", 10)
			must(t, err)
			if len(bs) != 1 || bs[0].State != recrubo.BroadcastDone || !bs[0].FinishedAt.Equal(at(9)) || bs[0].Vars[0] != "{first_name}" {
				t.Errorf("broadcasts = %+v", bs)
			}
		}},
	})
}
