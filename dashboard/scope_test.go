package dashboard_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestComputePerVacancy: a vacancy's figures, chart and costs are those of
// its matched candidates' conversations; a vacancy without any draws an
// empty chart at zero cost; the tenant's dashboard counts everything.
func TestComputePerVacancy(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) // Thursday; Amsterdam is UTC+1
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, tn := newTenant(t, backend, now)
			for _, v := range []string{"v1", "v2", "v3"} {
				_, err := db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tn.ID, ID: v, Title: "Chauffeur CE", ModifiedAt: now})
				must(t, err)
			}
			for id, cand := range map[string]string{"m1": "c1", "m2": "c2"} {
				_, err := db.UpsertMatch(ctx, &recrubo.Match{TenantID: tn.ID, ID: id, CandidateID: cand, VacancyID: "v" + cand[1:], ModifiedAt: now})
				must(t, err)
			}
			// c1 (vacancy v1): three messages on 1 December, one on 3
			// December; c2 (vacancy v2): one on 2 December; c3 (no
			// vacancy): one on 3 December. v3 has no conversation.
			a := conv(t, db, tn.ID, "+31600000001", "c1", "u1")
			b := conv(t, db, tn.ID, "+31600000002", "c2", "u1")
			c := conv(t, db, tn.ID, "+31600000003", "c3", "")
			dec := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, time.UTC) }
			msg(t, db, a, recrubo.Outbound, recrubo.StatusRead, dec(1, 9))
			msg(t, db, a, recrubo.Inbound, recrubo.StatusReceived, dec(1, 10))
			msg(t, db, a, recrubo.Outbound, recrubo.StatusDelivered, dec(1, 11))
			msg(t, db, a, recrubo.Inbound, recrubo.StatusReceived, dec(3, 8))
			msg(t, db, b, recrubo.Outbound, recrubo.StatusSent, dec(2, 9))
			msg(t, db, c, recrubo.Inbound, recrubo.StatusReceived, dec(3, 9))
			// Costs: a in November and December, b in December, c too.
			must(t, db.AddCost(ctx, tn.ID, a.ID, recrubo.CategoryMarketing, decimal.RequireFromString("0.1186"), dec(1, 9)))
			must(t, db.AddCost(ctx, tn.ID, a.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.0519"),
				time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)))
			must(t, db.AddCost(ctx, tn.ID, b.ID, recrubo.CategoryUtility, decimal.RequireFromString("0.0519"), dec(2, 9)))
			must(t, db.AddCost(ctx, tn.ID, c.ID, recrubo.CategoryService, decimal.Zero, dec(3, 9)))

			compute := func(vacancy string) *dashboard.Figures {
				t.Helper()
				f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, VacancyID: vacancy, ViewerID: "u1"})
				must(t, err)
				return f
			}
			// The window is 27 November to 3 December: index 4 is 1
			// December.
			type day struct{ in, out int }
			trend := func(f *dashboard.Figures) map[int]day {
				got := map[int]day{}
				for i, d := range f.Trend {
					if d.Inbound+d.Outbound > 0 {
						got[i] = day{d.Inbound, d.Outbound}
					}
				}
				return got
			}
			costs := func(f *dashboard.Figures) map[string]string {
				got := map[string]string{}
				for _, mc := range f.Costs {
					got[mc.Month] = mc.Amount.String() + "/" + decimal.NewFromInt(mc.Conversations).String()
				}
				return got
			}
			for name, tc := range map[string]struct {
				vacancy   string
				trend     map[int]day
				costs     map[string]string
				total     string
				contacted int
			}{
				"v1":     {"v1", map[int]day{3: {}, 4: {1, 2}, 6: {1, 0}}, map[string]string{"2026-11": "0.0519/1", "2026-12": "0.1186/1"}, "0.1705", 1},
				"v2":     {"v2", map[int]day{5: {0, 1}}, map[string]string{"2026-12": "0.0519/1"}, "0.0519", 1},
				"v3":     {"v3", map[int]day{}, map[string]string{}, "0", 0},
				"tenant": {"", map[int]day{4: {1, 2}, 5: {0, 1}, 6: {2, 0}}, map[string]string{"2026-11": "0.0519/1", "2026-12": "0.1705/2"}, "0.2224", 2},
			} {
				f := compute(tc.vacancy)
				delete(tc.trend, 3) // {} marks "nothing that day" in the table above
				if got := trend(f); !equalMaps(got, tc.trend) {
					t.Errorf("%s: trend = %v, want %v", name, got, tc.trend)
				}
				if got := costs(f); !equalMaps(got, tc.costs) {
					t.Errorf("%s: costs = %v, want %v", name, got, tc.costs)
				}
				if !f.TotalCost().Equal(decimal.RequireFromString(tc.total)) {
					t.Errorf("%s: total cost = %s, want %s", name, f.TotalCost(), tc.total)
				}
				if f.Total.Contacted != tc.contacted {
					t.Errorf("%s: contacted = %d, want %d", name, f.Total.Contacted, tc.contacted)
				}
			}
			// Three vacancies share one title: each row says so.
			f := compute("")
			if len(f.Vacancies) != 2 || !f.Vacancies[0].SharedLabel || !f.Vacancies[1].SharedLabel {
				t.Errorf("vacancy rows = %+v, want v1 and v2, both marked as sharing their title", f.Vacancies)
			}
		})
	}
}

func equalMaps[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestComputeCostsFollowThePeriod: the 7-day view holds the costs of its
// seven days only, the 30-day view of its thirty, however months fall.
func TestComputeCostsFollowThePeriod(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, tn := newTenant(t, backend, now)
			c := conv(t, db, tn.ID, "+31600000001", "", "u1")
			ams := tn.Location()
			for _, cost := range []struct {
				at     time.Time
				amount string
			}{
				{time.Date(2026, 11, 2, 12, 0, 0, 0, ams), "1.00"},   // in the 90-day view only
				{time.Date(2026, 11, 26, 23, 59, 0, 0, ams), "2.00"}, // the day before the 7-day view
				{time.Date(2026, 11, 27, 0, 0, 0, 0, ams), "4.00"},   // its first moment
				{time.Date(2026, 11, 30, 23, 30, 0, 0, ams), "8.00"}, // November in Amsterdam, December in UTC+9
				{time.Date(2026, 12, 1, 0, 30, 0, 0, ams), "16.00"},  // December in Amsterdam, November in UTC
				{time.Date(2026, 12, 3, 9, 0, 0, 0, ams), "32.00"},
			} {
				must(t, db.AddCost(ctx, tn.ID, c.ID, recrubo.CategoryMarketing, decimal.RequireFromString(cost.amount), cost.at.UTC()))
			}
			for days, want := range map[int]map[string]string{
				7:  {"2026-11": "12", "2026-12": "48"},
				30: {"2026-11": "14", "2026-12": "48"},
				90: {"2026-11": "15", "2026-12": "48"},
			} {
				f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: days, Now: now, ViewerID: "u1"})
				must(t, err)
				got := map[string]string{}
				for _, mc := range f.Costs {
					got[mc.Month] = mc.Amount.String()
				}
				if !equalMaps(got, want) {
					t.Errorf("%d days: costs per month = %v, want %v", days, got, want)
				}
			}
		})
	}
}

// TestComputeDefinitions: the README's definitions, one case each.
func TestComputeDefinitions(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			db, tn := newTenant(t, backend, now)
			h := now.Add(-48 * time.Hour)
			save := func(c *recrubo.Conversation, lastIn, lastOut time.Time) {
				t.Helper()
				c.LastInboundAt, c.LastOutboundAt = lastIn, lastOut
				must(t, db.SaveConversation(ctx, c))
			}
			// Only message failed: not contacted.
			failed := conv(t, db, tn.ID, "+31600000001", "", "u1")
			msg(t, db, failed, recrubo.Outbound, recrubo.StatusFailed, h)
			save(failed, time.Time{}, h)
			// The candidate answered STOP: no reply, not awaiting one.
			stop := conv(t, db, tn.ID, "+31600000002", "", "u1")
			msg(t, db, stop, recrubo.Outbound, recrubo.StatusDelivered, h)
			stopMsg := &recrubo.Message{TenantID: tn.ID, ConversationID: stop.ID, Direction: recrubo.Inbound,
				Status: recrubo.StatusReceived, Body: "Stop!", CreatedAt: h.Add(time.Hour), ProviderID: "wamid.stop"}
			_, err := db.AddMessage(ctx, stopMsg)
			must(t, err)
			must(t, db.SaveConsent(ctx, &recrubo.Consent{TenantID: tn.ID, Phone: stop.Phone, OptedOut: true, Source: "stop-keyword", At: h.Add(time.Hour)}))
			save(stop, h.Add(time.Hour), h)
			// Two recruiter messages, then a reply: the reply time runs
			// from the second.
			two := conv(t, db, tn.ID, "+31600000003", "", "u1")
			msg(t, db, two, recrubo.Outbound, recrubo.StatusRead, h)
			msg(t, db, two, recrubo.Outbound, recrubo.StatusRead, h.Add(5*time.Hour))
			msg(t, db, two, recrubo.Inbound, recrubo.StatusReceived, h.Add(5*time.Hour+20*time.Minute))
			save(two, h.Add(5*time.Hour+20*time.Minute), h.Add(5*time.Hour))
			// Closed with the candidate's message unread: neither unread
			// nor awaiting a reply.
			closed := conv(t, db, tn.ID, "+31600000004", "", "u1")
			msg(t, db, closed, recrubo.Inbound, recrubo.StatusReceived, h)
			closed.State = recrubo.ConversationClosed
			save(closed, h, time.Time{})

			f, err := dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: "u1"})
			must(t, err)
			tot := f.Total
			if tot.Contacted != 2 || tot.Replied != 1 || tot.Failed != 1 || tot.Sent != 3 {
				t.Errorf("contacted %d, replied %d, failed %d, sent %d; want 2, 1, 1, 3", tot.Contacted, tot.Replied, tot.Failed, tot.Sent)
			}
			if tot.CandidateReply.Count != 1 || tot.CandidateReply.Median != 20*time.Minute {
				t.Errorf("candidate reply = %+v, want one of 20 minutes", tot.CandidateReply)
			}
			// The candidate of "two" is awaiting a reply; the STOP, the
			// closed conversation and the failed one are not. Unread are
			// "two" and the STOP (a message to read, if no reply).
			if tot.AwaitingReply != 1 || tot.Unread != 2 || tot.Open != 3 {
				t.Errorf("awaiting %d, unread %d, open %d; want 1, 2, 3", tot.AwaitingReply, tot.Unread, tot.Open)
			}
			// A reply reads what came before it.
			msg(t, db, two, recrubo.Outbound, recrubo.StatusSent, now.Add(-time.Minute))
			save(two, h.Add(5*time.Hour+20*time.Minute), now.Add(-time.Minute))
			if f, err = dashboard.Compute(ctx, db, dashboard.Request{Tenant: tn, Days: 7, Now: now, ViewerID: "u1"}); err != nil {
				t.Fatal(err)
			}
			if f.Total.Unread != 1 || f.UnreadForViewer != 1 || f.Total.AwaitingReply != 0 {
				t.Errorf("after the reply: unread %d, unread for the viewer %d, awaiting %d; want 1, 1 (the STOP), 0",
					f.Total.Unread, f.UnreadForViewer, f.Total.AwaitingReply)
			}
		})
	}
}
