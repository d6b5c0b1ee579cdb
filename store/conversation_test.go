package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// newConversation stores an open WhatsApp conversation with phone.
func newConversation(t *testing.T, s recrubo.Store, tenantID, phone, candidateID string, last time.Time) *recrubo.Conversation {
	t.Helper()
	c := &recrubo.Conversation{TenantID: tenantID, Channel: recrubo.ChannelWhatsApp, Phone: phone,
		CandidateID: candidateID, LastMessageAt: last}
	must(t, s.SaveConversation(t.Context(), c))
	return c
}

func TestConversations(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "SaveAndFind", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			if c.ID == "" || c.State != recrubo.ConversationOpen || c.CreatedAt.IsZero() {
				t.Fatalf("saved conversation = %+v", c)
			}
			c.AssigneeID, c.LastInboundAt = "u7", at(2)
			must(t, db.SaveConversation(t.Context(), c))
			got, err := db.ConversationByPhone(t.Context(), tn.ID, recrubo.ChannelWhatsApp, "+31612345678")
			must(t, err)
			if d := diff(c, got); d != "" {
				t.Errorf("by phone (-want +got):\n%s", d)
			}
			byCand, err := db.ConversationsByCandidate(t.Context(), tn.ID, "c1")
			must(t, err)
			if len(byCand) != 1 || byCand[0].ID != c.ID {
				t.Errorf("by candidate = %v", byCand)
			}
			other := createTenant(t, db, "other")
			_, err = db.Conversation(t.Context(), other.ID, c.ID)
			wantCode(t, err, recrubo.ENOTFOUND)
		}},
		{name: "ChangedSince", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			recent := newConversation(t, db, tn.ID, "+31612345671", "c1", at(100))
			newConversation(t, db, tn.ID, "+31612345672", "", at(100)) // unmatched
			amb := newConversation(t, db, tn.ID, "+31612345673", "c3", at(100))
			amb.Ambiguous = true
			must(t, db.SaveConversation(t.Context(), amb))
			got, err := db.ConversationsChangedSince(t.Context(), tn.ID, at(50))
			must(t, err)
			if len(got) != 1 || got[0].ID != recent.ID {
				t.Fatalf("changed since = %v, want only %s", got, recent.ID)
			}
			// updated_at is the store's clock (now), far after at(100).
			got, err = db.ConversationsChangedSince(t.Context(), tn.ID, time.Now().Add(time.Hour))
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("changed in the future = %v", got)
			}
		}},
		{name: "CarerixActivityPerEpisode", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			if !c.EpisodeStartedAt.IsZero() || c.CarerixActivityID != "" {
				t.Fatalf("new conversation = %+v", c)
			}
			stale := *c
			ok, err := db.SetConversationActivity(t.Context(), tn.ID, c.ID, c.EpisodeStartedAt, "td1", "h1")
			must(t, err)
			// A writer holding an older copy neither clears nor sets them.
			stale.AssigneeID = "u1"
			must(t, db.SaveConversation(t.Context(), &stale))
			if !ok || stale.CarerixActivityID != "td1" || stale.SummaryHash != "h1" {
				t.Fatalf("recorded %v, then = %+v", ok, stale)
			}
			// A new episode drops the activity; the old episode's writer
			// records nothing on it.
			stale.EpisodeStartedAt = at(30)
			must(t, db.SaveConversation(t.Context(), &stale))
			if stale.CarerixActivityID != "" || stale.SummaryHash != "" || stale.EpisodeStartedAt != at(30) {
				t.Fatalf("after a new episode = %+v", stale)
			}
			ok, err = db.SetConversationActivity(t.Context(), tn.ID, c.ID, c.EpisodeStartedAt, "td1", "h2")
			must(t, err)
			if ok {
				t.Fatal("the old episode's activity was recorded on the new one")
			}
			c.EpisodeStartedAt = at(20) // an older copy does not move it back
			must(t, db.SaveConversation(t.Context(), c))
			if c.EpisodeStartedAt != at(30) || c.CarerixActivityID != "" {
				t.Fatalf("after a stale episode = %+v", c)
			}
			ok, err = db.SetConversationActivity(t.Context(), tn.ID, c.ID, at(30), "td2", "h3")
			must(t, err)
			got, err := db.Conversation(t.Context(), tn.ID, c.ID)
			must(t, err)
			if !ok || got.CarerixActivityID != "td2" || got.SummaryHash != "h3" {
				t.Fatalf("second episode = %+v", got)
			}
			_, err = db.SetConversationActivity(t.Context(), tn.ID, "nope", at(30), "td3", "h")
			wantCode(t, err, recrubo.ENOTFOUND)
		}},
		{name: "ActivityTimesOnlyMoveForward", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			stale := *c
			c.LastInboundAt, c.LastMessageAt, c.LastMessagePreview = at(10), at(10), "nieuw"
			must(t, db.SaveConversation(t.Context(), c))
			stale.AssigneeID, stale.LastOutboundAt, stale.LastMessageAt, stale.LastMessagePreview = "u2", at(5), at(5), "oud"
			must(t, db.SaveConversation(t.Context(), &stale))
			if stale.LastInboundAt != at(10) || stale.LastMessageAt != at(10) || stale.LastMessagePreview != "nieuw" ||
				stale.LastOutboundAt != at(5) || stale.AssigneeID != "u2" {
				t.Fatalf("after a stale save = %+v", stale)
			}
		}},
		{name: "BillConversationOnce", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			price := decimal.RequireFromString("0.1131")
			bill := func(cat recrubo.TemplateCategory, minute int, providerKey, messageKey string) bool {
				t.Helper()
				ok, err := db.BillConversation(t.Context(), &recrubo.ConversationCost{TenantID: tn.ID, ConversationID: c.ID,
					Category: cat, Amount: price, At: at(minute), ProviderKey: providerKey, MessageKey: messageKey}, 24*time.Hour)
				must(t, err)
				return ok
			}
			for i, tc := range []struct {
				cat           recrubo.TemplateCategory
				minute        int
				provider, msg string
				want          bool
			}{
				{recrubo.CategoryMarketing, 10, "conversation:K", "m1:1", true},
				{recrubo.CategoryMarketing, 11, "conversation:K", "m2:1", false}, // same provider conversation
				{recrubo.CategoryUtility, 12, "message:w3", "m1:1", false},       // m1 is billed already
				{recrubo.CategoryUtility, 13, "conversation:U", "m3:1", true},
				// Without pricing: a window per category.
				{recrubo.CategoryService, 20, "", "m4:1", true},
				{recrubo.CategoryService, 30, "", "m5:1", false},
				{recrubo.CategoryMarketing, 31, "", "m6:1", true},
				{recrubo.CategoryService, 20 + 24*60, "", "m7:1", true},
			} {
				if got := bill(tc.cat, tc.minute, tc.provider, tc.msg); got != tc.want {
					t.Errorf("bill %d (%s %s %s) = %v, want %v", i, tc.cat, tc.provider, tc.msg, got, tc.want)
				}
			}
			costs, err := db.MonthlyCosts(t.Context(), tn.ID, at(0))
			must(t, err)
			n := int64(0)
			for _, mc := range costs {
				n += mc.Count
			}
			if n != 5 {
				t.Fatalf("%d costs recorded, want 5: %+v", n, costs)
			}
		}},
		{name: "PhoneIsUniquePerTenant", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			err := db.SaveConversation(t.Context(), &recrubo.Conversation{TenantID: tn.ID,
				Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678"})
			wantCode(t, err, recrubo.ECONFLICT)
			other := createTenant(t, db, "other")
			newConversation(t, db, other.ID, "+31612345678", "", at(1))
			err = db.SaveConversation(t.Context(), &recrubo.Conversation{TenantID: tn.ID,
				Channel: recrubo.ChannelWhatsApp, Phone: "0612"})
			wantCode(t, err, recrubo.EINVALID)
		}},
		{name: "MessagesDedupeByProviderID", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			in := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Inbound,
				Body: "Hoi", ProviderID: "wamid.1", Status: recrubo.StatusReceived, CreatedAt: at(2)}
			added, err := db.AddMessage(t.Context(), in)
			must(t, err)
			if !added || in.ID == "" {
				t.Fatalf("first add = %v %q", added, in.ID)
			}
			again := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Inbound,
				Body: "Hoi", ProviderID: "wamid.1", Status: recrubo.StatusReceived}
			added, err = db.AddMessage(t.Context(), again)
			must(t, err)
			if added {
				t.Fatal("a repeated provider id was added again")
			}
			other := createTenant(t, db, "other")
			oc := newConversation(t, db, other.ID, "+31612345678", "", at(1))
			added, err = db.AddMessage(t.Context(), &recrubo.Message{TenantID: other.ID, ConversationID: oc.ID,
				Direction: recrubo.Inbound, ProviderID: "wamid.1", Status: recrubo.StatusReceived})
			must(t, err)
			if !added {
				t.Fatal("the same provider id in another tenant was refused")
			}
			_, err = db.AddMessage(t.Context(), &recrubo.Message{TenantID: tn.ID, ConversationID: "nope",
				Direction: recrubo.Inbound, Status: recrubo.StatusReceived})
			wantCode(t, err, recrubo.ENOTFOUND)
			got, err := db.MessageByProviderID(t.Context(), tn.ID, "wamid.1")
			must(t, err)
			if d := diff(in, got); d != "" {
				t.Errorf("by provider id (-want +got):\n%s", d)
			}
		}},
		{name: "StatusNeverMovesBackwards", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			m := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Outbound,
				SenderID: "u1", Body: "Hallo", TemplateVars: []string{"a"}, Status: recrubo.StatusQueued, SendAttempt: 1}
			_, err := db.AddMessage(t.Context(), m)
			must(t, err)
			id := m.ID
			apply := func(st recrubo.MessageStatus, when time.Time, reason string) *recrubo.Message {
				u := &recrubo.Message{TenantID: tn.ID, ID: id, ProviderID: "wamid.9", Status: st, FailReason: reason}
				switch st {
				case recrubo.StatusSent:
					u.SentAt = when
				case recrubo.StatusDelivered:
					u.DeliveredAt = when
				case recrubo.StatusRead:
					u.ReadAt = when
				case recrubo.StatusFailed:
					u.FailedAt = when
				}
				must(t, db.UpdateMessage(t.Context(), u))
				return u
			}
			apply(recrubo.StatusRead, at(5), "")
			apply(recrubo.StatusSent, at(3), "")
			got := apply(recrubo.StatusDelivered, at(4), "")
			if got.Status != recrubo.StatusRead || got.SentAt != at(3) || got.DeliveredAt != at(4) || got.ReadAt != at(5) {
				t.Fatalf("after read, sent, delivered: %+v", got)
			}
			got = apply(recrubo.StatusFailed, at(6), "131047: too late")
			if got.Status != recrubo.StatusRead {
				t.Fatalf("failed overrode read: %s", got.Status)
			}
			if got.FailReason != "" || !got.FailedAt.IsZero() {
				t.Fatalf("a read message took the reason of a failed status that lost: %q at %v", got.FailReason, got.FailedAt)
			}
			if len(got.TemplateVars) != 1 || got.Body != "Hallo" {
				t.Errorf("update touched content: %+v", got)
			}
			err = db.UpdateMessage(t.Context(), &recrubo.Message{TenantID: tn.ID, ID: "missing", Status: recrubo.StatusSent})
			wantCode(t, err, recrubo.ENOTFOUND)
		}},
		{name: "DeliveredAfterFailedCarriesNoFailure", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			m := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Outbound,
				SenderID: "u1", Body: "Hallo", Status: recrubo.StatusQueued, SendAttempt: 1}
			_, err := db.AddMessage(t.Context(), m)
			must(t, err)
			failed := &recrubo.Message{TenantID: tn.ID, ID: m.ID, ProviderID: "wamid.x", Status: recrubo.StatusFailed,
				FailCode: "131026", FailReason: "131026: undeliverable", FailedAt: at(3)}
			must(t, db.UpdateMessage(t.Context(), failed))
			if failed.Status != recrubo.StatusFailed || failed.FailReason == "" || failed.FailCode != "131026" || failed.FailedAt != at(3) {
				t.Fatalf("failed = %+v", failed)
			}
			// A second failure keeps the first reason.
			again := &recrubo.Message{TenantID: tn.ID, ID: m.ID, Status: recrubo.StatusFailed, FailCode: recrubo.FailRefused,
				FailReason: "other", FailedAt: at(4)}
			must(t, db.UpdateMessage(t.Context(), again))
			if again.FailReason != "131026: undeliverable" || again.FailCode != "131026" || again.FailedAt != at(3) {
				t.Fatalf("after a second failure = %+v", again)
			}
			// The delivered status arrives late: it outranks failed, and
			// the message no longer reads as failed anywhere.
			got := &recrubo.Message{TenantID: tn.ID, ID: m.ID, Status: recrubo.StatusDelivered, DeliveredAt: at(2)}
			must(t, db.UpdateMessage(t.Context(), got))
			if got.Status != recrubo.StatusDelivered || got.FailReason != "" || got.FailCode != "" || !got.FailedAt.IsZero() || got.DeliveredAt != at(2) {
				t.Fatalf("delivered after failed = %+v", got)
			}
		}},
		{name: "RequeueOnlyFailed", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			m := &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: recrubo.Outbound,
				Body: "x", Status: recrubo.StatusQueued, SendAttempt: 1}
			_, err := db.AddMessage(t.Context(), m)
			must(t, err)
			_, err = db.RequeueMessage(t.Context(), tn.ID, m.ID)
			wantCode(t, err, recrubo.ECONFLICT)
			must(t, db.UpdateMessage(t.Context(), &recrubo.Message{TenantID: tn.ID, ID: m.ID, ProviderID: "wamid.f",
				Status: recrubo.StatusFailed, FailCode: "131026", FailReason: "131026: undeliverable", FailedAt: at(2)}))
			r, err := db.RequeueMessage(t.Context(), tn.ID, m.ID)
			must(t, err)
			if r.Status != recrubo.StatusQueued || r.SendAttempt != 2 || r.ProviderID != "" || r.FailReason != "" || r.FailCode != "" {
				t.Fatalf("requeued = %+v", r)
			}
		}},
		{name: "PendingStatuses", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			for _, st := range []recrubo.MessageStatus{recrubo.StatusDelivered, recrubo.StatusSent, recrubo.StatusSent} {
				must(t, db.AddPendingStatus(t.Context(), &recrubo.PendingStatus{TenantID: tn.ID, ProviderID: "wamid.p",
					Status: st, At: at(int(st.Rank()))}))
			}
			ps, err := db.TakePendingStatuses(t.Context(), tn.ID, "wamid.p")
			must(t, err)
			if len(ps) != 2 || ps[0].Status != recrubo.StatusSent || ps[1].Status != recrubo.StatusDelivered {
				t.Fatalf("pending = %+v", ps)
			}
			ps, err = db.TakePendingStatuses(t.Context(), tn.ID, "wamid.p")
			must(t, err)
			if len(ps) != 0 {
				t.Fatalf("taken twice: %+v", ps)
			}
		}},
		{name: "UnreadAndList", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			_, err := db.UpsertCandidate(t.Context(), candidate(tn.ID, "c1", 1))
			must(t, err)
			matched := newConversation(t, db, tn.ID, "+31612345678", "c1", at(10))
			unmatched := newConversation(t, db, tn.ID, "+31687654321", "", at(20))
			for i, c := range []*recrubo.Conversation{matched, matched, unmatched} {
				_, err := db.AddMessage(t.Context(), &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID,
					Direction: recrubo.Inbound, Body: "m", Status: recrubo.StatusReceived, CreatedAt: at(10 + i)})
				must(t, err)
			}
			n, err := db.Unread(t.Context(), tn.ID, matched.ID, "u1")
			must(t, err)
			if n != 2 {
				t.Fatalf("unread = %d, want 2", n)
			}
			must(t, db.MarkRead(t.Context(), tn.ID, matched.ID, "u1", at(10)))
			must(t, db.MarkRead(t.Context(), tn.ID, matched.ID, "u1", at(5))) // earlier: ignored
			if n, _ := db.Unread(t.Context(), tn.ID, matched.ID, "u1"); n != 1 {
				t.Fatalf("unread after reading = %d, want 1", n)
			}
			if n, _ := db.Unread(t.Context(), tn.ID, matched.ID, "u2"); n != 2 {
				t.Fatalf("another user's unread = %d, want 2", n)
			}
			list, err := db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1"})
			must(t, err)
			if len(list) != 2 || list[0].ID != unmatched.ID || list[1].CandidateName != "Jan van der Berg c1" || list[1].Unread != 1 {
				t.Fatalf("list = %+v %+v", list[0], list[1])
			}
			list, err = db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1", Unmatched: true})
			must(t, err)
			if len(list) != 1 || list[0].ID != unmatched.ID {
				t.Fatalf("unmatched = %+v", list)
			}
			list, err = db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1", Query: "berg c1"})
			must(t, err)
			if len(list) != 1 || list[0].ID != matched.ID {
				t.Fatalf("query by name = %+v", list)
			}
			list, err = db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1", Query: "876543"})
			must(t, err)
			if len(list) != 1 || list[0].ID != unmatched.ID {
				t.Fatalf("query by phone = %+v", list)
			}
			must(t, db.MarkRead(t.Context(), tn.ID, unmatched.ID, "u1", at(30)))
			must(t, db.MarkRead(t.Context(), tn.ID, matched.ID, "u1", at(30)))
			list, err = db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1", UnreadOnly: true})
			must(t, err)
			if len(list) != 0 {
				t.Fatalf("unread only = %+v", list)
			}
			ms, err := db.Messages(t.Context(), tn.ID, matched.ID, 1)
			must(t, err)
			if len(ms) != 1 || ms[0].CreatedAt != at(11) {
				t.Fatalf("newest message = %+v", ms)
			}
		}},
		{name: "ListPagesByCursor", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			// Seven conversations, three sharing one time: the cursor must
			// break ties by ID so no row is skipped or repeated.
			want := map[string]bool{}
			for i, minute := range []int{5, 9, 9, 9, 2, 7, 1} {
				c := newConversation(t, db, tn.ID, fmt.Sprintf("+3161234560%d", i), "", at(minute))
				want[c.ID] = true
			}
			var (
				got   []*recrubo.ConversationSummary
				after *recrubo.ListCursor
				pages int
			)
			for pages < 10 { // bounded: a cursor that fails to advance repeats pages
				page, err := db.ListConversations(t.Context(), tn.ID, recrubo.ConversationFilter{ViewerID: "u1", After: after, Limit: 3})
				must(t, err)
				if len(page) == 0 {
					break
				}
				pages++
				got = append(got, page...)
				after = page[len(page)-1].Cursor()
			}
			if pages != 3 || len(got) != len(want) {
				t.Fatalf("%d pages holding %d rows, want 3 pages of all %d", pages, len(got), len(want))
			}
			for i, c := range got {
				if !want[c.ID] {
					t.Fatalf("row %d (%s) repeated or foreign", i, c.ID)
				}
				delete(want, c.ID)
				if i > 0 && (c.LastMessageAt.After(got[i-1].LastMessageAt) ||
					c.LastMessageAt.Equal(got[i-1].LastMessageAt) && c.ID < got[i-1].ID) {
					t.Fatalf("row %d out of order: %+v after %+v", i, c, got[i-1])
				}
			}
		}},
		{name: "TemplatesConsentCosts", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			tpl := &recrubo.MessageTemplate{TenantID: tn.ID, Name: "vacature_update", Language: "nl",
				Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved, Body: "Hoi {{1}}, nieuws over {{2}}."}
			must(t, db.SaveTemplate(t.Context(), tpl))
			wantCode(t, db.SaveTemplate(t.Context(), &recrubo.MessageTemplate{TenantID: tn.ID, Name: "Bad Name",
				Language: "nl", Category: "x", Status: "y", Body: "b"}), recrubo.EINVALID)
			ts, err := db.Templates(t.Context(), tn.ID)
			must(t, err)
			if len(ts) != 1 || ts[0].Variables != 2 {
				t.Fatalf("templates = %+v", ts)
			}
			c, err := db.Consent(t.Context(), tn.ID, "+31612345678")
			must(t, err)
			if c.OptedOut {
				t.Fatal("no consent stored yet reads as opted out")
			}
			must(t, db.SaveConsent(t.Context(), &recrubo.Consent{TenantID: tn.ID, Phone: "+31612345678",
				OptedOut: true, Source: "stop-keyword", At: at(3)}))
			c, err = db.Consent(t.Context(), tn.ID, "+31612345678")
			must(t, err)
			if !c.OptedOut || c.Source != "stop-keyword" || c.At != at(3) {
				t.Fatalf("consent = %+v", c)
			}
			// An older opt-in processed late does not undo the newer
			// opt-out; a newer one does.
			older := &recrubo.Consent{TenantID: tn.ID, Phone: "+31612345678", Source: "start-keyword", At: at(2)}
			must(t, db.SaveConsent(t.Context(), older))
			if !older.OptedOut || older.Source != "stop-keyword" || older.At != at(3) {
				t.Fatalf("older save reloaded as %+v", older)
			}
			c, err = db.Consent(t.Context(), tn.ID, "+31612345678")
			must(t, err)
			if !c.OptedOut || c.At != at(3) {
				t.Fatalf("an older opt-in overrode a newer opt-out: %+v", c)
			}
			must(t, db.SaveConsent(t.Context(), &recrubo.Consent{TenantID: tn.ID, Phone: "+31612345678",
				Source: "start-keyword", At: at(4)}))
			if c, _ = db.Consent(t.Context(), tn.ID, "+31612345678"); c.OptedOut {
				t.Fatalf("a newer opt-in was ignored: %+v", c)
			}
			must(t, db.SaveCostRate(t.Context(), &recrubo.CostRate{TenantID: tn.ID, Category: recrubo.CategoryUtility,
				Price: decimal.RequireFromString("0.0456")}))
			rates, err := db.CostRates(t.Context(), tn.ID)
			must(t, err)
			if len(rates) != 1 || !rates[0].Price.Equal(decimal.RequireFromString("0.0456")) {
				t.Fatalf("rates = %+v", rates)
			}
			conv := newConversation(t, db, tn.ID, "+31612345678", "", at(1))
			ams := time.FixedZone("CET", 3600)
			for i, when := range []time.Time{
				time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), // November in Amsterdam
				time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
				time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC),
			} {
				cat := recrubo.CategoryUtility
				if i == 2 {
					cat = recrubo.CategoryService
				}
				must(t, db.AddCost(t.Context(), tn.ID, conv.ID, cat, decimal.RequireFromString("0.0456"), when.In(ams)))
			}
			costs, err := db.MonthlyCosts(t.Context(), tn.ID, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
			must(t, err)
			if len(costs) != 2 || costs[0].Month != "2026-11" || costs[0].Category != recrubo.CategoryService ||
				costs[1].Count != 2 || costs[1].Amount.String() != "0.0912" {
				t.Fatalf("costs = %+v %+v", costs[0], costs[1])
			}
		}},
	})
}
