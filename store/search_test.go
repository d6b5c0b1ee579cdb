package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// listNames lists the tenant's conversations matching query by their
// candidates' names (the phone number when there is none), sorted.
func listNames(t *testing.T, db recrubo.Store, tenantID, query string) []string {
	t.Helper()
	return listNamesIn(t, db, tenantID, query, "")
}

// listNamesIn is listNames for a tenant whose numbers are of region.
func listNamesIn(t *testing.T, db recrubo.Store, tenantID, query, region string) []string {
	t.Helper()
	got, err := db.ListConversations(t.Context(), tenantID, recrubo.ConversationFilter{ViewerID: "u1", Query: query, PhoneRegion: region})
	must(t, err)
	var names []string
	for _, s := range got {
		n := s.CandidateName
		if n == "" {
			n = s.Phone
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func TestConversationSearch(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "PhoneAsTyped", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			newConversation(t, db, tn.ID, "+31638964311", "", at(1))
			newConversation(t, db, tn.ID, "+31135330297", "", at(2))
			newConversation(t, db, tn.ID, "+32470123456", "", at(3))
			for query, want := range map[string][]string{
				"0638964311":     {"+31638964311"}, // the three Dutch spellings
				"06-38964311":    {"+31638964311"},
				"06 38 96 43 11": {"+31638964311"},
				"+31638964311":   {"+31638964311"},
				"+31 6 38964311": {"+31638964311"},
				"0031638964311":  {"+31638964311"},
				"013-5330297":    {"+31135330297"},
				"(013) 533 0297": {"+31135330297"},
				"06 389":         {"+31638964311"}, // a part, typed the Dutch way
				"4311":           {"+31638964311"},
				"+32 470":        {"+32470123456"},
				"0470 12 34 56":  nil, // a Belgian number written the Belgian way is not Dutch
				"0612":           nil,
			} {
				if got := listNames(t, db, tn.ID, query); !slices.Equal(got, want) {
					t.Errorf("search %q found %v, want %v", query, got, want)
				}
			}
			// A Belgian tenant's recruiters type Belgian numbers their way.
			for query, want := range map[string][]string{
				"0470 12 34 56":  {"+32470123456"},
				"0470/12.34.56":  {"+32470123456"},
				"+31 6 38964311": {"+31638964311"},
				"0638964311":     nil,
			} {
				if got := listNamesIn(t, db, tn.ID, query, "BE"); !slices.Equal(got, want) {
					t.Errorf("search %q in a Belgian tenant found %v, want %v", query, got, want)
				}
			}
		}},
		{name: "FoldedNames", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			for i, c := range []*recrubo.Candidate{
				{ID: "k1", FirstName: "Ayşe", LastName: "Yılmaz"},
				{ID: "k2", FirstName: "Ruud", LastName: "Ĳzerman"},
				{ID: "k3", FirstName: "Chloë", LastNamePrefix: "van", LastName: "Müller"},
				{ID: "k4", FirstName: "Søren", LastName: "Straße"},
			} {
				c.TenantID, c.ModifiedAt, c.PhoneE164 = tn.ID, at(1), "+3161000000"+string(rune('1'+i))
				_, err := db.UpsertCandidate(t.Context(), c)
				must(t, err)
				newConversation(t, db, tn.ID, c.PhoneE164, c.ID, at(i))
			}
			for query, want := range map[string][]string{
				"Yilmaz":       {"Ayşe Yılmaz"},
				"YILMAZ":       {"Ayşe Yılmaz"},
				"ayse":         {"Ayşe Yılmaz"},
				"IJzerman":     {"Ruud Ĳzerman"},
				"ijzer":        {"Ruud Ĳzerman"},
				"Ĳzerman":      {"Ruud Ĳzerman"},
				"chloe muller": {},
				"van muller":   {"Chloë van Müller"},
				"Chloe":        {"Chloë van Müller"},
				"MÜLLER":       {"Chloë van Müller"},
				"soren":        {"Søren Straße"},
				"strasse":      {"Søren Straße"},
			} {
				if len(want) == 0 {
					want = nil
				}
				if got := listNames(t, db, tn.ID, query); !slices.Equal(got, want) {
					t.Errorf("search %q found %v, want %v", query, got, want)
				}
			}
			// The mirror's own search folds the same way.
			got, err := db.Candidates(t.Context(), tn.ID, recrubo.ListOptions{Query: "yilmaz"})
			must(t, err)
			if len(got) != 1 || got[0].ID != "k1" {
				t.Errorf("candidates matching yilmaz = %v", got)
			}
		}},
		{name: "RowsWrittenBeforeFoldingAreFolded", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			tn := createTenant(t, db, "acme")
			_, err := db.UpsertCandidate(t.Context(), &recrubo.Candidate{TenantID: tn.ID, ID: "k1", FirstName: "Ruud",
				LastName: "Ĳzerman", PhoneE164: "+31610000001", ModifiedAt: at(1)})
			must(t, err)
			_, err = db.UpsertVacancy(t.Context(), &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Heftruckchauffeur Zoë", ModifiedAt: at(1)})
			must(t, err)
			newConversation(t, db, tn.ID, "+31610000001", "k1", at(1))
			must(t, db.Close())
			// As a release before folding left them: lower-cased search
			// text, conversations without their candidate's name.
			raw := e.Raw(t)
			for _, q := range []string{
				`UPDATE candidates SET search = 'ruud ĳzerman', search_version = 0`,
				`UPDATE vacancies SET search = 'heftruckchauffeur zoë', search_version = 0`,
				`UPDATE conversations SET candidate_name = '', search = '', search_version = 0`,
			} {
				if _, err := raw.ExecContext(t.Context(), q); err != nil {
					t.Fatal(err)
				}
			}
			db = e.Open(t)
			if got := listNames(t, db, tn.ID, "IJzerman"); !slices.Equal(got, []string{"Ruud Ĳzerman"}) {
				t.Errorf("after reopening, IJzerman finds %v", got)
			}
			vs, err := db.Vacancies(t.Context(), tn.ID, recrubo.ListOptions{Query: "zoe"})
			must(t, err)
			if len(vs) != 1 {
				t.Errorf("after reopening, zoe finds %d vacancies", len(vs))
			}
		}},
	})
}

func TestConversationKeepsItsCandidatesName(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "OutOfScope", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			ctx := t.Context()
			tn := createTenant(t, db, "acme")
			k := &recrubo.Candidate{TenantID: tn.ID, ID: "k1", FirstName: "Sanne", LastName: "Dijk", PhoneE164: "+31610000001", ModifiedAt: at(1)}
			_, err := db.UpsertCandidate(ctx, k)
			must(t, err)
			c := newConversation(t, db, tn.ID, k.PhoneE164, "k1", at(1))
			if c.CandidateName != "Sanne Dijk" {
				t.Fatalf("new conversation's candidate name = %q", c.CandidateName)
			}
			k.LastName, k.ModifiedAt = "van Dijk-Jansen", at(2) // renamed in Carerix
			_, err = db.UpsertCandidate(ctx, k)
			must(t, err)
			_, err = db.RemoveCandidate(ctx, tn.ID, "k1", at(3)) // left the status filter
			must(t, err)
			c.AssigneeID = "u1" // a later save keeps the name
			must(t, db.SaveConversation(ctx, c))
			got, err := db.ListConversations(ctx, tn.ID, recrubo.ConversationFilter{ViewerID: "u1", Query: "jansen"})
			must(t, err)
			if len(got) != 1 || got[0].CandidateName != "Sanne van Dijk-Jansen" || got[0].CandidateSynced || got[0].CandidateID != "k1" {
				t.Fatalf("after the candidate left the mirror: %+v", got)
			}
			k.ModifiedAt = at(4) // back in scope
			_, err = db.UpsertCandidate(ctx, k)
			must(t, err)
			got, err = db.ListConversations(ctx, tn.ID, recrubo.ConversationFilter{ViewerID: "u1"})
			must(t, err)
			if len(got) != 1 || !got[0].CandidateSynced {
				t.Fatalf("after the candidate came back: %+v", got)
			}
			// Linked to no one, a conversation has no candidate's name.
			c.CandidateID, c.Ambiguous = "", true
			must(t, db.SaveConversation(ctx, c))
			if c.CandidateName != "" {
				t.Errorf("ambiguous conversation named %q", c.CandidateName)
			}
		}},
	})
}

// TestUnreadIsTheConversations: unread messages are the same for every
// viewer; an answer reads what came before it; closed conversations have
// none; what one viewer has not read is counted apart.
func TestUnreadIsTheConversations(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "Unread", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			ctx := t.Context()
			tn := createTenant(t, db, "acme")
			add := func(c *recrubo.Conversation, dir recrubo.Direction, minute int) {
				t.Helper()
				_, err := db.AddMessage(ctx, &recrubo.Message{TenantID: tn.ID, ConversationID: c.ID, Direction: dir,
					Status:    map[recrubo.Direction]recrubo.MessageStatus{recrubo.Inbound: recrubo.StatusReceived, recrubo.Outbound: recrubo.StatusSent}[dir],
					CreatedAt: at(minute), SendAttempt: 1})
				must(t, err)
				if dir == recrubo.Inbound {
					c.LastInboundAt = at(minute)
				} else {
					c.LastOutboundAt = at(minute)
				}
				must(t, db.SaveConversation(ctx, c))
			}
			unread := func(viewer string) map[string][2]int {
				t.Helper()
				got, err := db.ListConversations(ctx, tn.ID, recrubo.ConversationFilter{ViewerID: viewer})
				must(t, err)
				out := map[string][2]int{}
				for _, s := range got {
					out[s.Phone] = [2]int{s.Unread, s.UnreadForViewer}
				}
				return out
			}
			mine := newConversation(t, db, tn.ID, "+31610000001", "", at(0))
			mine.AssigneeID = "u1"
			must(t, db.SaveConversation(ctx, mine))
			nobodys := newConversation(t, db, tn.ID, "+31610000002", "", at(0))
			add(mine, recrubo.Inbound, 1)
			add(mine, recrubo.Inbound, 2)
			add(nobodys, recrubo.Inbound, 1)
			for _, v := range []string{"u1", "u2"} {
				if got := unread(v); got["+31610000001"][0] != 2 || got["+31610000002"][0] != 1 {
					t.Errorf("viewer %s: unread = %v, want 2 and 1 whoever looks", v, got)
				}
			}
			must(t, db.MarkRead(ctx, tn.ID, nobodys.ID, "u2", at(1))) // a colleague reads the unassigned one
			if got := unread("u1"); got["+31610000002"] != [2]int{0, 1} {
				t.Errorf("after u2 read the unassigned one, u1 sees %v, want read for the tenant, unread for u1", got["+31610000002"])
			}
			must(t, db.MarkRead(ctx, tn.ID, mine.ID, "u2", at(3))) // not the assignee: still unread
			if got := unread("u1"); got["+31610000001"] != [2]int{2, 2} {
				t.Errorf("after u2 read u1's conversation: %v, want 2 unread", got["+31610000001"])
			}
			add(mine, recrubo.Outbound, 3) // the assignee answers
			if got := unread("u1"); got["+31610000001"] != [2]int{0, 0} {
				t.Errorf("after the answer: %v, want all read", got["+31610000001"])
			}
			add(mine, recrubo.Inbound, 4)
			if n, err := db.Unread(ctx, tn.ID, mine.ID, "u1"); err != nil || n != 1 {
				t.Errorf("Unread after the candidate wrote again = %d, %v; want 1", n, err)
			}
			mine.State = recrubo.ConversationClosed
			must(t, db.SaveConversation(ctx, mine))
			if got := unread("u1"); got["+31610000001"] != [2]int{0, 0} {
				t.Errorf("closed: %v, want nothing unread", got["+31610000001"])
			}
			only, err := db.ListConversations(ctx, tn.ID, recrubo.ConversationFilter{ViewerID: "u2", UnreadOnly: true})
			must(t, err)
			if len(only) != 0 {
				t.Errorf("unread only lists %d conversations, want none", len(only))
			}
		}},
	})
}

func TestEachCost(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "Window", run: func(t *testing.T, e *storetest.Env) {
			db := e.Open(t)
			ctx := t.Context()
			tn := createTenant(t, db, "acme")
			c := newConversation(t, db, tn.ID, "+31610000001", "", at(0))
			must(t, db.AddCost(ctx, tn.ID, c.ID, recrubo.CategoryMarketing, decimal.RequireFromString("0.1186"), at(1)))
			_, err := db.BillConversation(ctx, &recrubo.ConversationCost{TenantID: tn.ID, ConversationID: c.ID, Category: recrubo.CategoryUtility,
				Amount: decimal.RequireFromString("0.0519"), At: at(2), ProviderKey: "message:wamid.1", MessageKey: "m1:1"}, 24*time.Hour)
			must(t, err)
			must(t, db.AddCost(ctx, tn.ID, c.ID, recrubo.CategoryService, decimal.Zero, at(3)))
			var got []string
			err = db.EachCost(ctx, tn.ID, at(1), at(3), func(cc *recrubo.ConversationCost) error {
				got = append(got, string(cc.Category)+" "+cc.Amount.String()+" "+cc.At.Format(time.RFC3339Nano)+" "+
					map[bool]string{true: "message", false: "conversation"}[cc.PerMessage()])
				return nil
			})
			must(t, err)
			want := []string{"marketing 0.1186 " + at(1).Format(time.RFC3339Nano) + " conversation",
				"utility 0.0519 " + at(2).Format(time.RFC3339Nano) + " message"}
			if !slices.Equal(got, want) {
				t.Errorf("costs from at(1) before at(3) = %q, want %q", got, want)
			}
		}},
	})
}
