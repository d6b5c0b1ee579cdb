package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/templates"
)

// The dashboard's figures are checked against counts made by hand from
// the seeded data: figuresSeed writes a generated history to the store
// and keeps it, and its methods count each figure the way the README
// defines it, independently of package dashboard.

// seedMessage is one message of a seeded conversation.
type seedMessage struct {
	at       time.Time
	outbound bool
	status   recrubo.MessageStatus
	stop     bool // an opt-out ("STOP")
}

// seedCost is one billed cost.
type seedCost struct {
	at         time.Time
	amount     decimal.Decimal
	perMessage bool
}

// seedConversation is one seeded conversation and what it holds.
type seedConversation struct {
	id, candidate, assignee string
	closed, optedOut        bool
	vacancies               []string
	msgs                    []seedMessage
	reads                   map[string]time.Time // user → read up to
	costs                   []seedCost
}

type figuresSeed struct {
	f         *embedFixture
	convs     []*seedConversation
	vacancies map[string]carerixemu.Vacancy // id → record
	titles    map[string]string             // vacancy id → label on the page
}

// seedFigures generates n conversations over the 100 days before f.now.
func seedFigures(t *testing.T, f *embedFixture, n int) *figuresSeed {
	t.Helper()
	ctx := context.Background()
	s := &figuresSeed{f: f, vacancies: map[string]carerixemu.Vacancy{}, titles: map[string]string{}}
	var vacIDs []string
	for _, title := range []string{"Chauffeur CE", "Chauffeur CE", "Orderpicker", "Magazijnmedewerker"} {
		v, err := f.emu.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str(title), CompanyName: carerixemu.Str("Bouw BV")})
		if err != nil {
			t.Fatal(err)
		}
		f.syncVacancy(v)
		s.vacancies[v.ID] = v
		s.titles[v.ID] = title
		vacIDs = append(vacIDs, v.ID)
	}
	// Two vacancies share their title: the page adds their numbers.
	for _, id := range vacIDs[:2] {
		s.titles[id] = fmt.Sprintf("Chauffeur CE (nr. %s)", id)
	}
	rng := rand.New(rand.NewPCG(20261203, 7))
	users := []string{f.viewer.ID, f.other.ID, ""}
	prices := []string{"0.1186", "0.0519", "0"}
	for i := range n {
		c := &seedConversation{assignee: users[rng.IntN(len(users))], closed: rng.IntN(5) == 0, reads: map[string]time.Time{}}
		phone := fmt.Sprintf("+316100%05d", i)
		if rng.IntN(8) != 0 {
			c.candidate = fmt.Sprintf("k%d", i)
			if _, err := f.db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: f.tenant.ID, ID: c.candidate, FirstName: "Kandidaat",
				LastName: fmt.Sprint(i), PhoneE164: phone, ModifiedAt: f.now}); err != nil {
				t.Fatal(err)
			}
			// The fourth vacancy gets no conversation.
			for j, v := range vacIDs[:3] {
				if rng.IntN(5) < 2 {
					c.vacancies = append(c.vacancies, v)
					if _, err := f.db.UpsertMatch(ctx, &recrubo.Match{TenantID: f.tenant.ID, ID: fmt.Sprintf("m%d-%d", i, j),
						CandidateID: c.candidate, VacancyID: v, ModifiedAt: f.now}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		at := f.now.Add(-time.Duration(rng.IntN(100*24*60)) * time.Minute)
		for j := range 1 + rng.IntN(8) {
			at = at.Add(time.Duration(5+rng.IntN(3*24*60)) * time.Minute)
			if !at.Before(f.now) {
				break
			}
			m := seedMessage{at: at, outbound: rng.IntN(10) < map[bool]int{true: 7, false: 5}[j == 0]}
			if m.outbound {
				m.status = []recrubo.MessageStatus{recrubo.StatusQueued, recrubo.StatusSent, recrubo.StatusSent, recrubo.StatusDelivered,
					recrubo.StatusDelivered, recrubo.StatusRead, recrubo.StatusRead, recrubo.StatusRead, recrubo.StatusFailed, recrubo.StatusFailed}[rng.IntN(10)]
			} else {
				m.status, m.stop = recrubo.StatusReceived, rng.IntN(12) == 0
			}
			c.msgs = append(c.msgs, m)
		}
		if len(c.msgs) == 0 {
			c.msgs = append(c.msgs, seedMessage{at: f.now.Add(-time.Hour), outbound: true, status: recrubo.StatusSent})
		}
		conv := &recrubo.Conversation{TenantID: f.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: phone, CandidateID: c.candidate,
			AssigneeID: c.assignee, State: recrubo.ConversationOpen}
		if err := f.db.SaveConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		c.id = conv.ID
		for j, m := range c.msgs {
			msg := &recrubo.Message{TenantID: f.tenant.ID, ConversationID: conv.ID, Status: m.status, CreatedAt: m.at,
				ProviderID: fmt.Sprintf("wamid.%d.%d", i, j), SendAttempt: 1, Direction: recrubo.Inbound, Body: "Hallo"}
			if m.stop {
				msg.Body = "STOP"
			}
			if m.outbound {
				msg.Direction, msg.SenderID, msg.Body = recrubo.Outbound, c.assignee, "Hoi"
				conv.LastOutboundAt = m.at
			} else {
				conv.LastInboundAt = m.at
			}
			conv.LastMessageAt = m.at
			if _, err := f.db.AddMessage(ctx, msg); err != nil {
				t.Fatal(err)
			}
			if m.stop {
				c.optedOut = true
				if err := f.db.SaveConsent(ctx, &recrubo.Consent{TenantID: f.tenant.ID, Phone: phone, OptedOut: true, Source: "stop-keyword", At: m.at}); err != nil {
					t.Fatal(err)
				}
			}
			if m.outbound && (m.status == recrubo.StatusSent || m.status == recrubo.StatusDelivered || m.status == recrubo.StatusRead) && rng.IntN(10) < 6 {
				cost := seedCost{at: m.at, amount: decimal.RequireFromString(prices[rng.IntN(len(prices))])}
				if rng.IntN(6) == 0 {
					cost.perMessage, cost.amount = true, decimal.RequireFromString("0.0519")
					if _, err := f.db.BillConversation(ctx, &recrubo.ConversationCost{TenantID: f.tenant.ID, ConversationID: conv.ID,
						Category: recrubo.CategoryUtility, Amount: cost.amount, At: m.at, ProviderKey: "message:" + msg.ProviderID,
						MessageKey: msg.ID + ":1"}, recrubo.ServiceWindow); err != nil {
						t.Fatal(err)
					}
				} else if err := f.db.AddCost(ctx, f.tenant.ID, conv.ID, recrubo.CategoryMarketing, cost.amount, m.at); err != nil {
					t.Fatal(err)
				}
				c.costs = append(c.costs, cost)
			}
		}
		if c.closed {
			conv.State = recrubo.ConversationClosed
		}
		if err := f.db.SaveConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		first := c.msgs[0].at
		for _, u := range users[:2] {
			if rng.IntN(5) < 2 {
				read := first.Add(time.Duration(rng.Int64N(int64(f.now.Sub(first)))))
				read = read.Truncate(time.Minute)
				if err := f.db.MarkRead(ctx, f.tenant.ID, conv.ID, u, read); err != nil {
					t.Fatal(err)
				}
				c.reads[u] = read
			}
		}
		s.convs = append(s.convs, c)
	}
	return s
}

// window is the period of days ending today, in the tenant's zone: its
// first midnight and the midnight after today.
func (s *figuresSeed) window(days int) (from, to time.Time) {
	loc := s.f.tenant.Location()
	y, m, d := s.f.now.In(loc).Date()
	return time.Date(y, m, d-days+1, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// inScope reports whether c counts on vacancy's page ("" is the tenant's).
func (c *seedConversation) inScope(vacancy string) bool {
	return vacancy == "" || slices.Contains(c.vacancies, vacancy)
}

// lastOutbound is when the recruiter last wrote, zero if never.
func (c *seedConversation) lastOutbound() time.Time {
	var t time.Time
	for _, m := range c.msgs {
		if m.outbound {
			t = m.at
		}
	}
	return t
}

// unreadAfter reports whether the open conversation has a candidate
// message after the recruiter's last message and after readAt.
func (c *seedConversation) unreadAfter(readAt time.Time) bool {
	if c.closed {
		return false
	}
	for _, m := range c.msgs {
		if !m.outbound && m.at.After(c.lastOutbound()) && m.at.After(readAt) {
			return true
		}
	}
	return false
}

// unread: read by the assignee, or, unassigned, by anyone.
func (c *seedConversation) unread() bool {
	var readAt time.Time
	for u, at := range c.reads {
		if (c.assignee == "" || u == c.assignee) && at.After(readAt) {
			readAt = at
		}
	}
	return c.unreadAfter(readAt)
}

func (c *seedConversation) awaiting() bool {
	if c.closed || c.optedOut {
		return false
	}
	var in, out time.Time
	for _, m := range c.msgs {
		if m.outbound {
			out = m.at
		} else {
			in = m.at
		}
	}
	return !in.IsZero() && in.After(out)
}

func reachedWhatsApp(st recrubo.MessageStatus) bool {
	return st == recrubo.StatusSent || st == recrubo.StatusDelivered || st == recrubo.StatusRead
}

// handRow counts one row's figures.
type handRow struct {
	open, unread, awaiting, contacted, replied int
	sent, delivered, read, failed              int
	recruiter, candidate                       []time.Duration
}

func (r *handRow) count(c *seedConversation, from, to time.Time) {
	in := func(m seedMessage) bool { return !m.at.Before(from) && m.at.Before(to) }
	if !c.closed {
		r.open++
	}
	if c.unread() {
		r.unread++
	}
	if c.awaiting() {
		r.awaiting++
	}
	contacted, replied := false, false
	for i, m := range c.msgs {
		if !in(m) {
			continue
		}
		if m.outbound {
			switch m.status {
			case recrubo.StatusSent:
				r.sent++
			case recrubo.StatusDelivered:
				r.sent++
				r.delivered++
			case recrubo.StatusRead:
				r.sent++
				r.delivered++
				r.read++
			case recrubo.StatusFailed:
				r.failed++
			}
			contacted = contacted || reachedWhatsApp(m.status)
			// Recruiter reply: from the first candidate message since
			// the recruiter's previous message in the window.
			if w, ok := waitingSince(c.msgs, i, in); ok {
				r.recruiter = append(r.recruiter, m.at.Sub(w))
			}
			continue
		}
		if m.stop {
			continue
		}
		// Candidate reply: from the recruiter's last message that
		// reached WhatsApp, when no other reply came between.
		for j := i - 1; j >= 0 && in(c.msgs[j]); j-- {
			p := c.msgs[j]
			if p.outbound && reachedWhatsApp(p.status) {
				r.candidate = append(r.candidate, m.at.Sub(p.at))
				replied = true
				break
			}
			if !p.outbound && !p.stop {
				break // answered already
			}
		}
	}
	if contacted {
		r.contacted++
		if replied {
			r.replied++
		}
	}
}

// waitingSince returns the first candidate message (not an opt-out) of the
// window after the recruiter's message before msgs[i], if any.
func waitingSince(msgs []seedMessage, i int, in func(seedMessage) bool) (time.Time, bool) {
	var first time.Time
	for j := i - 1; j >= 0 && in(msgs[j]); j-- {
		if msgs[j].outbound {
			break
		}
		if !msgs[j].stop {
			first = msgs[j].at
		}
	}
	return first, !first.IsZero()
}

// handDurations summarises durations the way the page states them: the
// nearest-rank median and 90th percentile.
func handDurations(ds []time.Duration) dashboard.Durations {
	if len(ds) == 0 {
		return dashboard.Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p int) time.Duration {
		r := (p*len(s) + 99) / 100
		return s[max(r, 1)-1]
	}
	return dashboard.Durations{Count: len(s), Median: rank(50), P90: rank(90)}
}

// handPage is what the dashboard page should show, formatted as it does.
type handPage struct {
	tiles      map[string]string
	recruiters map[string][]string
	vacancies  map[string][]string
	out, in    string // the trend's values per day
	costHead   string
	costs      [][3]string // month, paid, amount
	total      string
}

// page counts the figures of the period of days for vacancy ("" for the
// tenant's dashboard) as viewer sees them.
func (s *figuresSeed) page(p *embedPage, days int, vacancy, viewer string) handPage {
	from, to := s.window(days)
	loc := s.f.tenant.Location()
	names := map[string]string{s.f.viewer.ID: "Eva de Boer", s.f.other.ID: "Jan Smit", "": "Niet toegewezen"}
	var total handRow
	recruiters, vacancies := map[string]*handRow{}, map[string]*handRow{}
	unreadForViewer := 0
	outByDay, inByDay := make([]int, days), make([]int, days)
	type month struct {
		paid   int64
		amount decimal.Decimal
		units  [2]bool
	}
	months := map[string]*month{}
	for _, c := range s.convs {
		if !c.inScope(vacancy) {
			continue
		}
		total.count(c, from, to)
		if recruiters[names[c.assignee]] == nil {
			recruiters[names[c.assignee]] = &handRow{}
		}
		recruiters[names[c.assignee]].count(c, from, to)
		for _, v := range c.vacancies {
			if vacancies[s.titles[v]] == nil {
				vacancies[s.titles[v]] = &handRow{}
			}
			vacancies[s.titles[v]].count(c, from, to)
		}
		if (c.assignee == "" || c.assignee == viewer) && c.unreadAfter(c.reads[viewer]) {
			unreadForViewer++
		}
		for _, m := range c.msgs {
			for d := range days {
				if m.at.In(loc).Format(time.DateOnly) == from.AddDate(0, 0, d).Format(time.DateOnly) {
					if m.outbound {
						outByDay[d]++
					} else {
						inByDay[d]++
					}
				}
			}
		}
		for _, cost := range c.costs {
			if cost.at.Before(from) || !cost.at.Before(to) {
				continue
			}
			key := cost.at.In(loc).Format("2006-01")
			if months[key] == nil {
				months[key] = &month{}
			}
			mc := months[key]
			mc.amount = mc.amount.Add(cost.amount)
			if cost.amount.IsPositive() {
				mc.paid++
				mc.units[map[bool]int{false: 0, true: 1}[cost.perMessage]] = true
			}
		}
	}
	rate := func(r *handRow) string {
		if r.contacted == 0 {
			return p.percent(0)
		}
		return p.percent(float64(r.replied) / float64(r.contacted))
	}
	cells := func(r *handRow) []string {
		return []string{p.int(r.open), p.int(r.unread), p.int(r.awaiting), p.int(r.contacted), p.int(r.replied), rate(r),
			p.durations(handDurations(r.recruiter)), p.durations(handDurations(r.candidate)),
			p.int(r.sent), p.int(r.delivered), p.int(r.read), p.int(r.failed)}
	}
	rec, cand := handDurations(total.recruiter), handDurations(total.candidate)
	out := handPage{
		tiles: map[string]string{"Open": p.int(total.open), "Ongelezen": p.int(total.unread), "Ongelezen voor mij": p.int(unreadForViewer),
			"Wacht op antwoord": p.int(total.awaiting), "Benaderd": p.int(total.contacted), "Responspercentage": rate(&total),
			"Mediane reactietijd recruiters": p.duration(rec.Median, rec.Count),
			"Mediane reactietijd kandidaten": p.duration(cand.Median, cand.Count), "Mislukt": p.int(total.failed)},
		recruiters: map[string][]string{}, vacancies: map[string][]string{},
		out: joinInts(outByDay), in: joinInts(inByDay), costHead: "Betaalde gesprekken", total: templates.FormatEUR("nl", decimal.Zero),
	}
	for k, r := range recruiters {
		out.recruiters[k] = cells(r)
	}
	for k, r := range vacancies {
		out.vacancies[k] = cells(r)
	}
	keys := make([]string, 0, len(months))
	for k := range months {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sum := decimal.Zero
	var units [2]bool
	for _, k := range keys {
		mc := months[k]
		out.costs = append(out.costs, [3]string{p.month(k, loc), templates.FormatInt("nl", mc.paid), templates.FormatEUR("nl", mc.amount)})
		sum = sum.Add(mc.amount)
		units[0], units[1] = units[0] || mc.units[0], units[1] || mc.units[1]
	}
	out.total = templates.FormatEUR("nl", sum)
	switch {
	case units[0] && units[1]:
		out.costHead = "Betaalde gesprekken en berichten"
	case units[1]:
		out.costHead = "Betaalde berichten"
	}
	return out
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

// shownPage reads the figures a dashboard page shows.
func shownPage(doc *goquery.Document) handPage {
	out := handPage{tiles: map[string]string{}, recruiters: map[string][]string{}, vacancies: map[string][]string{}}
	doc.Find(".tiles .tile").Each(func(_ int, s *goquery.Selection) {
		out.tiles[s.Find(".tile-label").Text()] = s.Find(".tile-value").Text()
	})
	doc.Find("table.figures:not(.costs)").Each(func(_ int, table *goquery.Selection) {
		rows := out.recruiters
		if table.Find("thead th").First().Text() == "Vacature" {
			rows = out.vacancies
		}
		table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
			rows[tr.Find("th").Text()] = tr.Find("td").Map(func(_ int, td *goquery.Selection) string { return td.Text() })
		})
	})
	out.out = doc.Find("svg.chart-trend polyline.out").AttrOr("data-values", "")
	out.in = doc.Find("svg.chart-trend polyline.in").AttrOr("data-values", "")
	costs := doc.Find("table.costs")
	out.costHead = costs.Find("thead th").Eq(1).Text()
	costs.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		if tr.Find("td").Length() == 2 {
			tds := tr.Find("td")
			out.costs = append(out.costs, [3]string{tr.Find("th").Text(), tds.Eq(0).Text(), tds.Eq(1).Text()})
		}
	})
	out.total = costs.Find("tfoot td").Last().Text()
	if len(out.costs) == 0 {
		out.costHead = "Betaalde gesprekken" // no costs: the heading names conversations
	}
	return out
}

// compare reports every difference between what the page shows and the
// count by hand.
func (want handPage) compare(t *testing.T, what string, got handPage) {
	t.Helper()
	for k, v := range want.tiles {
		if got.tiles[k] != v {
			t.Errorf("%s: tile %q = %q, counted %q", what, k, got.tiles[k], v)
		}
	}
	if len(got.tiles) != len(want.tiles) {
		t.Errorf("%s: tiles %v, counted %v", what, got.tiles, want.tiles)
	}
	for name, rows := range map[string][2]map[string][]string{"recruiter": {want.recruiters, got.recruiters},
		"vacancy": {want.vacancies, got.vacancies}} {
		if len(rows[0]) != len(rows[1]) {
			t.Errorf("%s: %d %s rows %v, counted %d %v", what, len(rows[1]), name, keysOf(rows[1]), len(rows[0]), keysOf(rows[0]))
		}
		for k, cells := range rows[0] {
			if !slices.Equal(rows[1][k], cells) {
				t.Errorf("%s: %s row %q = %q, counted %q", what, name, k, rows[1][k], cells)
			}
		}
	}
	if got.out != want.out || got.in != want.in {
		t.Errorf("%s: trend out %s in %s, counted out %s in %s", what, got.out, got.in, want.out, want.in)
	}
	if got.costHead != want.costHead || !slices.Equal(got.costs, want.costs) || got.total != want.total {
		t.Errorf("%s: costs %q %q total %q, counted %q %q total %q", what, got.costHead, got.costs, got.total,
			want.costHead, want.costs, want.total)
	}
}

func keysOf(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestDashboardFiguresCountedByHand: every figure of the tenant's and the
// vacancies' dashboards, for each period, is the count made by hand from
// the seeded history: tiles, the rows per recruiter and per vacancy, the
// messages per day and the costs (whose 7-day period crosses a month's
// end). Two viewers see the same tenant-wide figures.
func TestDashboardFiguresCountedByHand(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.now = time.Date(2026, 12, 3, 10, 17, 0, 0, time.UTC) // the 7-day period starts on 27 November
			f.srv = newEmbedServer(t, f.db, f.now)
			f.promote()
			s := seedFigures(t, f, 48)
			p := f.srv.newEmbedPage("nl", f.tenant)
			viewers := map[string]carerixemu.User{"viewer": f.viewer, "other": f.other}
			pageURL := func(vacancy string, u carerixemu.User, days int) string {
				q := url.Values{"u": {u.ID}, "uh": {u.StableHash}, "lang": {"nl"}, "days": {fmt.Sprint(days)}}
				if vacancy == "" {
					q.Set("dk", f.pageKey())
					return "/embed/acme/dashboard?" + q.Encode()
				}
				q.Set("rh", s.vacancies[vacancy].StableHash)
				return "/embed/acme/vacancy/" + vacancy + "?" + q.Encode()
			}
			scopes := []string{""}
			for id := range s.vacancies {
				scopes = append(scopes, id)
			}
			slices.Sort(scopes)
			trends := map[string]string{} // vacancy → the 90-day chart shown
			for _, days := range dashboard.Periods {
				for _, vacancy := range scopes {
					for name, u := range viewers {
						if vacancy != "" && name == "other" {
							continue
						}
						what := fmt.Sprintf("%d days, vacancy %q, %s", days, vacancy, name)
						_, doc := f.page(pageURL(vacancy, u, days))
						shown := shownPage(doc)
						s.page(p, days, vacancy, u.ID).compare(t, what, shown)
						if days == 90 && vacancy != "" {
							trends[s.titles[vacancy]] = shown.out + "|" + shown.in
						}
					}
				}
			}
			// Each vacancy draws its own chart; the one without
			// conversations an empty one.
			if trends["Orderpicker"] == trends["Magazijnmedewerker"] || trends[s.titles[scopes[1]]] == trends[s.titles[scopes[2]]] {
				t.Errorf("vacancies draw the same chart: %v", trends)
			}
			if empty := strings.Repeat("0,", 89) + "0"; trends["Magazijnmedewerker"] != empty+"|"+empty {
				t.Errorf("the vacancy without conversations draws %s", trends["Magazijnmedewerker"])
			}
			// The seeded history covers what the definitions tell apart.
			var stops, closedUnread, failedOnly int
			for _, c := range s.convs {
				for _, m := range c.msgs {
					stops += b2iTest(m.stop)
				}
				closedUnread += b2iTest(c.closed && c.unreadAfter(time.Time{}) == false && len(c.msgs) > 0 && !c.msgs[len(c.msgs)-1].outbound)
				failedOnly += b2iTest(len(c.msgs) == 1 && c.msgs[0].status == recrubo.StatusFailed)
			}
			t.Logf("seeded %d conversations: %d opt-outs, %d closed awaiting the recruiter, %d with only a failed message",
				len(s.convs), stops, closedUnread, failedOnly)
			if stops == 0 || closedUnread == 0 {
				t.Errorf("the seed lacks an opt-out (%d) or a closed conversation the candidate wrote last in (%d)", stops, closedUnread)
			}
		})
	}
}

func b2iTest(b bool) int {
	if b {
		return 1
	}
	return 0
}
