package store_test

import (
	"fmt"
	"slices"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestMessagesBefore pages a thread back in time by (created time, id):
// messages created in the same microsecond keep their order by id, a page
// never skips or repeats one, and the oldest page ends the thread.
func TestMessagesBefore(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "PagesThroughTies", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			other := newConversation(t, db, tn.ID, "+31612345679", "c2", at(1))
			// 23 messages: minutes 0..7, three per minute (ties on the
			// time, told apart by id), ids against time order.
			var want []string
			for i := range 23 {
				id := fmt.Sprintf("m-%02d-%d", 30-i/3, 2-i%3) // inserted against id order
				addMsg(t, db, tn.ID, c.ID, id, i/3)
				want = append(want, id)
			}
			addMsg(t, db, tn.ID, other.ID, "x-1", 3)
			slices.SortFunc(want, func(a, b string) int { return cmpByMinute(a, b) })

			newest, err := db.Messages(t.Context(), tn.ID, c.ID, 5)
			must(t, err)
			got := ids(newest)
			for len(got) < len(want) {
				page, err := db.MessagesBefore(t.Context(), tn.ID, c.ID, newest[0].Cursor(), 5)
				must(t, err)
				if len(page) == 0 {
					t.Fatalf("an empty page after %d of %d messages", len(got), len(want))
				}
				if len(page) > 5 {
					t.Fatalf("page of %d, limit 5", len(page))
				}
				got = append(ids(page), got...)
				newest = page
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged thread =\n%v\nwant\n%v", got, want)
			}
			last, err := db.MessagesBefore(t.Context(), tn.ID, c.ID, newest[0].Cursor(), 5)
			must(t, err)
			if len(last) != 0 {
				t.Errorf("before the oldest message = %v, want none", ids(last))
			}
		}},
		{name: "Boundaries", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31612345678", "c1", at(1))
			addMsg(t, db, tn.ID, c.ID, "b", 1)
			addMsg(t, db, tn.ID, c.ID, "a", 1)
			addMsg(t, db, tn.ID, c.ID, "c", 1)
			addMsg(t, db, tn.ID, c.ID, "z", 0)
			// The cursor is exclusive: the message at it is not repeated,
			// those at the same time with a smaller id come first.
			got, err := db.MessagesBefore(t.Context(), tn.ID, c.ID, recrubo.MessageCursor{CreatedAt: at(1), ID: "c"}, 10)
			must(t, err)
			if w := []string{"z", "a", "b"}; !slices.Equal(ids(got), w) {
				t.Errorf("before (1, c) = %v, want %v", ids(got), w)
			}
			// A limit takes the newest of what is older.
			got, err = db.MessagesBefore(t.Context(), tn.ID, c.ID, recrubo.MessageCursor{CreatedAt: at(1), ID: "c"}, 2)
			must(t, err)
			if w := []string{"a", "b"}; !slices.Equal(ids(got), w) {
				t.Errorf("before (1, c), 2 = %v, want %v", ids(got), w)
			}
			// A cursor between stored messages (no message at it) works.
			got, err = db.MessagesBefore(t.Context(), tn.ID, c.ID, recrubo.MessageCursor{CreatedAt: at(1), ID: ""}, 10)
			must(t, err)
			if w := []string{"z"}; !slices.Equal(ids(got), w) {
				t.Errorf("before (1, \"\") = %v, want %v", ids(got), w)
			}
			got, err = db.MessagesBefore(t.Context(), tn.ID, c.ID, recrubo.MessageCursor{CreatedAt: at(0), ID: "z"}, 10)
			must(t, err)
			if len(got) != 0 {
				t.Errorf("before the oldest = %v, want none", ids(got))
			}
			// Another tenant's cursor reads nothing of this conversation.
			other := createTenant(t, db, "other")
			got, err = db.MessagesBefore(t.Context(), other.ID, c.ID, recrubo.MessageCursor{CreatedAt: at(9)}, 10)
			must(t, err)
			if len(got) != 0 {
				t.Errorf("another tenant read %v", ids(got))
			}
		}},
	})
}

// addMsg stores an inbound text message with id, created at minute m.
func addMsg(t *testing.T, s recrubo.Store, tenantID, convID, id string, m int) {
	t.Helper()
	added, err := s.AddMessage(t.Context(), &recrubo.Message{TenantID: tenantID, ID: id, ConversationID: convID,
		Direction: recrubo.Inbound, Body: id, Status: recrubo.StatusDelivered, CreatedAt: at(m)})
	must(t, err)
	if !added {
		t.Fatalf("message %s not added", id)
	}
}

func ids(ms []*recrubo.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// cmpByMinute orders the ids "m-<30-minute>-<k>" of TestMessagesBefore
// by their minute, then as strings.
func cmpByMinute(a, b string) int {
	var ma, mb, ka, kb int
	_, _ = fmt.Sscanf(a, "m-%d-%d", &ma, &ka)
	_, _ = fmt.Sscanf(b, "m-%d-%d", &mb, &kb)
	if ma != mb {
		return mb - ma // a smaller 30-minute is a later minute
	}
	return slices.Compare([]byte(a), []byte(b))
}
