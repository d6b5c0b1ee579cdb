package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestCompute(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, tn := newTenant(t, backend, now)
			for _, r := range []string{"u1", "u2"} {
				_, err := db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: r, FirstName: "R", LastName: r, Active: true, ModifiedAt: now})
				must(t, err)
			}
			_, err := db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: "v1", Title: "Chauffeur", ModifiedAt: now})
			must(t, err)

			// conv(a): u1's, candidate c1 matched to v1: recruiter wrote,
			// candidate replied after 30 min, recruiter answered after 10 min.
			// conv(b): u2's, candidate c2 (no match): written twice, no reply.
			// conv(c): unassigned, old message before the window only.
			a := conv(t, db, tn.ID, "+31600000001", "c1", "u1")
			b := conv(t, db, tn.ID, "+31600000002", "c2", "u2")
			c := conv(t, db, tn.ID, "+31600000003", "", "")
			_, err = db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: "m1", CandidateID: "c1", VacancyID: "v1", Stage: "Intake", ModifiedAt: now})
			must(t, err)
			h := now.Add(-48 * time.Hour)
			msg(t, db, a, recrubo.Outbound, recrubo.StatusRead, h)
			msg(t, db, a, recrubo.Inbound, recrubo.StatusReceived, h.Add(30*time.Minute))
			msg(t, db, a, recrubo.Outbound, recrubo.StatusDelivered, h.Add(40*time.Minute))
			msg(t, db, b, recrubo.Outbound, recrubo.StatusFailed, h)
			msg(t, db, b, recrubo.Outbound, recrubo.StatusSent, h.Add(time.Hour))
			msg(t, db, c, recrubo.Inbound, recrubo.StatusReceived, now.AddDate(0, 0, -20))
			a.LastOutboundAt, a.LastInboundAt = h.Add(40*time.Minute), h.Add(30*time.Minute)
			c.LastInboundAt = now.AddDate(0, 0, -20)
			must(t, db.SaveConversation(ctx, a))
			must(t, db.SaveConversation(ctx, c))
			must(t, db.AddCost(ctx, tn.ID, a.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.0456"), h))
			must(t, db.AddCost(ctx, tn.ID, b.ID, recrubo.CategoryMarketing, decimal.RequireFromString("0.1311"), h))

			f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: "u1"})
			must(t, err)
			tot := f.Total
			if tot.Open != 3 || tot.Contacted != 2 || tot.Replied != 1 || tot.ResponseRate() != 0.5 || tot.AwaitingReply != 1 {
				t.Errorf("totals = %+v", tot)
			}
			if tot.Sent != 3 || tot.Delivered != 2 || tot.Read != 1 || tot.Failed != 1 {
				t.Errorf("delivery = sent %d delivered %d read %d failed %d", tot.Sent, tot.Delivered, tot.Read, tot.Failed)
			}
			if tot.CandidateReply.Count != 1 || tot.CandidateReply.Median != 30*time.Minute {
				t.Errorf("candidate reply = %+v", tot.CandidateReply)
			}
			if tot.RecruiterReply.Count != 1 || tot.RecruiterReply.P90 != 10*time.Minute {
				t.Errorf("recruiter reply = %+v", tot.RecruiterReply)
			}
			if len(f.Recruiters) != 3 || f.Recruiters[0].Key != "u1" && f.Recruiters[0].Key != "u2" {
				t.Errorf("recruiter rows = %+v", f.Recruiters)
			}
			if len(f.Vacancies) != 1 || f.Vacancies[0].Label != "Chauffeur" || f.Vacancies[0].Replied != 1 {
				t.Errorf("vacancy rows = %+v", f.Vacancies)
			}
			if !f.TotalCost().Equal(decimal.RequireFromString("0.1767")) || len(f.Costs) != 1 || f.Costs[0].Conversations != 2 {
				t.Errorf("costs = %+v total %s", f.Costs, f.TotalCost())
			}
			if len(f.Trend) != 7 || f.Trend[4].Outbound != 4 || f.Trend[4].Inbound != 1 {
				t.Errorf("trend = %+v", f.Trend)
			}

			v, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 30, Now: now, VacancyID: "v1", ViewerID: "u1"})
			must(t, err)
			if v.Total.Contacted != 1 || v.Total.Open != 1 {
				t.Errorf("vacancy totals = %+v", v.Total)
			}
			if _, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 8, Now: now}); recrubo.ErrorCode(err) != recrubo.EINVALID {
				t.Errorf("8 days: %v", err)
			}
		})
	}
}

// newTenant opens a store on backend whose clock stands at now, with one
// tenant in it.
func newTenant(t *testing.T, backend string, now time.Time) (*store.DB, *recrubo.Tenant) {
	t.Helper()
	db := storetest.NewEnv(t, backend).Open(t, func(c *store.Config) { c.Now = func() time.Time { return now } })
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id.carerix.io", Realm: "acme",
			Application: "acme", ClientID: "c", ClientSecret: recrubo.NewSecret("s")},
		Admin: recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")}, Language: "nl", TimeZone: "Europe/Amsterdam"}
	must(t, db.CreateTenant(context.Background(), tn))
	return db, tn
}

// TestComputeReadsEveryMessageOfThePeriod: the figures count every
// message of the period, however many there are.
func TestComputeReadsEveryMessageOfThePeriod(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	db, tn := newTenant(t, storetest.SQLite, now)
	const perConv, convs = 150, 10 // 1,500 messages
	for i := range convs {
		c := conv(t, db, tn.ID, fmt.Sprintf("+3160000%04d", i), fmt.Sprintf("c%d", i), "u1")
		for j := range perConv {
			msg(t, db, c, recrubo.Outbound, recrubo.StatusDelivered, now.Add(-time.Duration(j+1)*time.Minute))
		}
	}
	f, err := dashboard.Compute(context.Background(), db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: "u1"})
	must(t, err)
	if f.Total.Sent != perConv*convs || f.Total.Delivered != perConv*convs {
		t.Errorf("sent %d, delivered %d; want %d each", f.Total.Sent, f.Total.Delivered, perConv*convs)
	}
	var trend int
	for _, d := range f.Trend {
		trend += d.Outbound
	}
	if trend != perConv*convs {
		t.Errorf("trend counts %d outbound messages, want %d", trend, perConv*convs)
	}
}

func conv(t *testing.T, db *store.DB, tenantID, phone, cand, assignee string) *recrubo.Conversation {
	t.Helper()
	c := &recrubo.Conversation{TenantID: tenantID, Channel: recrubo.ChannelWhatsApp, Phone: phone, CandidateID: cand, AssigneeID: assignee,
		State: recrubo.ConversationOpen}
	must(t, db.SaveConversation(context.Background(), c))
	return c
}

func msg(t *testing.T, db *store.DB, c *recrubo.Conversation, dir recrubo.Direction, st recrubo.MessageStatus, at time.Time) {
	t.Helper()
	_, err := db.AddMessage(context.Background(), &recrubo.Message{TenantID: c.TenantID, ConversationID: c.ID, Direction: dir, Status: st,
		Body: "x", CreatedAt: at, SendAttempt: 1, ProviderID: "wamid." + c.Phone + at.String()})
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestComputeCountsUnreadForTheAssignee: a conversation is unread while
// its assignee has not read it, whoever else has; an unassigned one until
// anyone has. That is the same for every viewer; what the viewer has not
// read of theirs and the unassigned ones is counted apart.
func TestComputeCountsUnreadForTheAssignee(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, tn := newTenant(t, backend, now)
			theirs := conv(t, db, tn.ID, "+31600000001", "c1", "u2")
			nobodys := conv(t, db, tn.ID, "+31600000002", "c2", "")
			msg(t, db, theirs, recrubo.Inbound, recrubo.StatusReceived, now.Add(-time.Hour))
			msg(t, db, nobodys, recrubo.Inbound, recrubo.StatusReceived, now.Add(-time.Hour))
			unread := func() (total, u2 int) {
				t.Helper()
				f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: "u1"})
				must(t, err)
				for _, r := range f.Recruiters {
					if r.Key == "u2" {
						u2 = r.Unread
					}
				}
				return f.Total.Unread, u2
			}
			must(t, db.MarkRead(ctx, tn.ID, theirs.ID, "u1", now)) // the viewer read u2's conversation
			if total, u2 := unread(); total != 2 || u2 != 1 {
				t.Errorf("unread = %d (u2: %d), want 2 (u2: 1): the viewer's reading does not count for the assignee", total, u2)
			}
			must(t, db.MarkRead(ctx, tn.ID, theirs.ID, "u2", now))
			must(t, db.MarkRead(ctx, tn.ID, nobodys.ID, "u3", now)) // a colleague read the unassigned one
			for _, viewer := range []string{"u1", "u2", "u3"} {
				f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: viewer})
				must(t, err)
				// The unassigned one: read by u3, so read for the tenant;
				// u1 and u2 have not read it.
				if wantMine := map[string]int{"u1": 1, "u2": 1}[viewer]; f.Total.Unread != 0 || f.UnreadForViewer != wantMine {
					t.Errorf("viewer %s: unread %d, unread for them %d; want 0 and %d", viewer, f.Total.Unread, f.UnreadForViewer, wantMine)
				}
			}
		})
	}
}

// TestComputeCountsEveryConversation: the figures count every
// conversation, however many there are (the listing is read in pages).
func TestComputeCountsEveryConversation(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	db, tn := newTenant(t, storetest.SQLite, now)
	const n = 1234 // more than two pages, all with the same (zero) activity time
	for i := range n {
		conv(t, db, tn.ID, fmt.Sprintf("+3161%07d", i), "", "u1")
	}
	f, err := dashboard.Compute(context.Background(), db, dashboard.Request{Tenant: tn, Days: 30, Now: now, ViewerID: "u1"})
	must(t, err)
	if f.Total.Open != n {
		t.Errorf("%d open conversations counted, want %d", f.Total.Open, n)
	}
}
