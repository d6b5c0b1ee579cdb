package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/templates"
)

// handleDashboardPage serves the dashboard: overall, or for the vacancy
// record it is framed on.
func (s *Server) handleDashboardPage(c *fiber.Ctx) error {
	kind := recrubo.EmbedDashboard
	if c.Params("id") != "" {
		kind = recrubo.EmbedVacancy
	}
	v, err := s.authenticateEmbed(c, kind)
	if err != nil || v == nil {
		return err // nil: the sign-in page was sent
	}
	if kind == recrubo.EmbedDashboard && !v.Privileged {
		return recrubo.E(recrubo.EFORBIDDEN, "embed.error.privileged_dashboard")
	}
	days := 30
	if d := c.Query("days"); d != "" {
		if days, err = strconv.Atoi(d); err != nil || !dashboard.ValidDays(days) {
			return recrubo.E(recrubo.EINVALID, "embed.error.period")
		}
	}
	ctx := c.UserContext()
	f, err := dashboard.Compute(ctx, s.deps.Embeds.Data, dashboard.Request{Tenant: v.Tenant, Days: days, Now: s.deps.Now(),
		VacancyID: v.RecordID, ViewerID: v.User.ID})
	if err != nil {
		return err
	}
	p := s.newEmbedPage(v.Lang, v.Tenant)
	vals, err := p.sessionValues(v)
	if err != nil {
		return err
	}
	heading := p.t("embed.dashboard")
	vals["notice"] = templates.HTML{}
	if kind == recrubo.EmbedVacancy {
		title, notice, err := s.vacancyScope(ctx, p, v.RecordID)
		if err != nil {
			return err
		}
		heading, vals["notice"] = p.t("embed.dashboard_vacancy", title), notice
	}
	p.dashboardValues(c, vals, f, heading)
	vals["broadcastLink"] = p.broadcastLink(c, kind)
	if p.err != nil {
		return p.err
	}
	return s.renderPage(c, fiber.StatusOK, "dashboard", p.lang, heading, vals, pageSecurity{FrameOrigins: v.Tenant.FrameOrigins})
}

// dashboardValues fills the dashboard page's values from f.
func (p *embedPage) dashboardValues(c *fiber.Ctx, vals templates.Values, f *dashboard.Figures, heading string) {
	loc := p.tenant.Location()
	vals["heading"] = heading
	vals["periodLabel"] = p.t("embed.period")
	var periods []templates.HTML
	for _, d := range dashboard.Periods {
		active, current := "", "false"
		if d == f.Days {
			active, current = " active", "page"
		}
		periods = append(periods, p.partial("embed_period", templates.Values{"activeClass": active, "current": current,
			"href": embedURL(c, url.Values{"days": {strconv.Itoa(d)}}), "label": p.t("embed.days", d)}))
	}
	vals["periods"] = templates.Join(periods)
	vals["periodText"] = p.t("embed.period_text", templates.FormatDate(p.lang, f.From, loc), templates.FormatDate(p.lang, f.To, loc))
	vals["totalsLabel"] = p.t("embed.totals")
	t := f.Total
	tiles := []struct {
		key   string
		value string
	}{
		{"embed.open", p.int(t.Open)}, {"embed.unread", p.int(t.Unread)}, {"embed.unread_for_me", p.int(f.UnreadForViewer)},
		{"embed.awaiting", p.int(t.AwaitingReply)},
		{"embed.contacted", p.int(t.Contacted)}, {"embed.response_rate", p.percent(t.ResponseRate())},
		{"embed.recruiter_reply_median", p.duration(t.RecruiterReply.Median, t.RecruiterReply.Count)},
		{"embed.candidate_reply_median", p.duration(t.CandidateReply.Median, t.CandidateReply.Count)},
		{"embed.failed", p.int(t.Failed)},
	}
	var tileHTML []templates.HTML
	for _, tl := range tiles {
		tileHTML = append(tileHTML, p.partial("embed_tile", templates.Values{"value": tl.value, "label": p.t(tl.key)}))
	}
	vals["tiles"] = templates.Join(tileHTML)

	vals["trendHeading"] = p.t("embed.trend")
	vals["outboundLabel"] = p.t("embed.outbound")
	vals["inboundLabel"] = p.t("embed.inbound")
	labels := make([]string, len(f.Trend))
	in, out := make([]int, len(f.Trend)), make([]int, len(f.Trend))
	for i, d := range f.Trend {
		labels[i] = templates.FormatDateShort(p.lang, d.Date, loc)
		in[i], out[i] = d.Inbound, d.Outbound
	}
	vals["trendChart"] = p.trendChart(p.t("embed.trend"), dashboard.Trend(labels, []dashboard.Series{
		{Name: p.t("embed.outbound"), Class: "out", Values: out}, {Name: p.t("embed.inbound"), Class: "in", Values: in}}))

	vals["vacancyHeading"] = p.t("embed.per_vacancy")
	var bars []dashboard.Bar
	for i, r := range f.Vacancies {
		if i == 12 {
			break
		}
		bars = append(bars, dashboard.Bar{Label: p.vacancyLabel(r), Value: r.Contacted,
			Note: p.t("embed.bar_note", p.int(r.Contacted), p.percent(r.ResponseRate()))})
	}
	if len(bars) == 0 {
		vals["vacancyChart"] = p.partial("embed_empty_block", templates.Values{"text": p.t("embed.no_data")})
	} else {
		vals["vacancyChart"] = p.barChart(p.t("embed.per_vacancy"), dashboard.Bars(bars))
	}
	vacancies := make([]dashboard.Row, len(f.Vacancies))
	for i, r := range f.Vacancies {
		r.Label = p.vacancyLabel(r)
		vacancies[i] = r
	}
	vals["vacancyTable"] = p.figuresTable(p.t("embed.vacancy"), vacancies, "")
	vals["recruiterHeading"] = p.t("embed.per_recruiter")
	vals["recruiterTable"] = p.figuresTable(p.t("embed.recruiter"), f.Recruiters, p.t("embed.unassigned"))

	vals["costHeading"] = p.t("embed.costs")
	perConversation, perMessage := f.CostUnits()
	countHeading := p.t("embed.paid_conversations")
	switch {
	case perConversation && perMessage:
		countHeading = p.t("embed.paid_conversations_messages")
	case perMessage:
		countHeading = p.t("embed.paid_messages")
	}
	var costRows []templates.HTML
	for _, mc := range f.Costs {
		count := mc.Conversations + mc.Messages
		costRows = append(costRows, p.partial("embed_cost_row", templates.Values{"month": p.month(mc.Month, loc),
			"count": templates.FormatInt(p.lang, count), "amount": templates.FormatEUR(p.lang, mc.Amount),
			"countHeading": countHeading, "amountHeading": p.t("embed.amount")}))
	}
	if len(costRows) == 0 {
		costRows = append(costRows, p.partial("embed_empty_row", templates.Values{"span": 3, "text": p.t("embed.no_costs")}))
	}
	vals["costTable"] = p.partial("embed_cost_table", templates.Values{"monthHeading": p.t("embed.month"),
		"countHeading": countHeading, "amountHeading": p.t("embed.amount"), "rows": templates.Join(costRows),
		"totalLabel": p.t("embed.total"), "total": templates.FormatEUR(p.lang, f.TotalCost())})

	vals["syncHeading"] = p.t("embed.sync")
	vals["lastEventLabel"] = p.t("embed.last_event")
	vals["lastEvent"] = p.when(f.Sync.LastEventAt, loc)
	vals["lastAppliedLabel"] = p.t("embed.last_applied")
	vals["lastApplied"] = p.when(f.Sync.LastAppliedAt, loc)
	vals["inScopeLabel"] = p.t("embed.in_scope")
	vals["inScope"] = p.t("embed.in_scope_value", templates.FormatInt(p.lang, f.Sync.Candidates), templates.FormatInt(p.lang, f.Sync.Vacancies))
	if f.Sync.LastError != "" {
		vals["syncError"] = p.notice("error", p.t("embed.sync_error"), f.Sync.LastError)
	} else {
		vals["syncError"] = templates.HTML{}
	}
}

// vacancyLabel is a vacancy row's title, with the vacancy's number when
// another row has the same title (or it has none).
func (p *embedPage) vacancyLabel(r dashboard.Row) string {
	switch {
	case r.Label == "" || r.Label == r.Key:
		return p.t("embed.vacancy_number", r.Key)
	case r.SharedLabel:
		return p.t("embed.vacancy_numbered", r.Label, r.Key)
	}
	return r.Label
}

// figuresTable renders rows; a row keyed dashboard.Unassigned is labelled unassigned.
func (p *embedPage) figuresTable(nameHeading string, rows []dashboard.Row, unassigned string) templates.HTML {
	headings := templates.Values{
		"nameHeading": nameHeading, "openHeading": p.t("embed.open"), "unreadHeading": p.t("embed.unread"),
		"awaitingHeading": p.t("embed.awaiting"), "contactedHeading": p.t("embed.contacted"), "repliedHeading": p.t("embed.replied"),
		"rateHeading": p.t("embed.response_rate_short"), "recruiterReplyHeading": p.t("embed.recruiter_reply"),
		"candidateReplyHeading": p.t("embed.candidate_reply"), "sentHeading": p.t("embed.sent"),
		"deliveredHeading": p.t("embed.delivered"), "readHeading": p.t("embed.read"), "failedHeading": p.t("embed.failed"),
	}
	var out []templates.HTML
	for _, r := range rows {
		name := r.Label
		if r.Key == dashboard.Unassigned && unassigned != "" {
			name = unassigned
		} else if name == "" {
			name = r.Key
		}
		v := templates.Values{
			"name": name, "open": p.int(r.Open), "unread": p.int(r.Unread), "awaiting": p.int(r.AwaitingReply),
			"contacted": p.int(r.Contacted), "replied": p.int(r.Replied), "rate": p.percent(r.ResponseRate()),
			"recruiterReply": p.durations(r.RecruiterReply), "candidateReply": p.durations(r.CandidateReply),
			"sent": p.int(r.Sent), "delivered": p.int(r.Delivered), "read": p.int(r.Read), "failed": p.int(r.Failed),
		}
		for k, h := range headings {
			v[k] = h // each cell names its column, for the stacked rows of a narrow frame
		}
		delete(v, "nameHeading")
		out = append(out, p.partial("embed_table_row", v))
	}
	if len(out) == 0 {
		return p.partial("embed_empty_block", templates.Values{"text": p.t("embed.no_data")})
	}
	headings["rows"] = templates.Join(out)
	return p.partial("embed_table", headings)
}

func (p *embedPage) trendChart(title string, ch dashboard.TrendChart) templates.HTML {
	var lines, labels []templates.HTML
	for _, l := range ch.Lines {
		lines = append(lines, p.partial("embed_chart_line", templates.Values{"class": l.Class, "points": l.Points, "name": l.Name,
			"values": l.Values}))
	}
	for _, l := range ch.Labels {
		labels = append(labels, p.partial("embed_chart_xlabel", templates.Values{"text": l}))
	}
	return p.partial("embed_chart_trend", templates.Values{"width": ch.Width, "height": ch.Height, "title": title,
		"max": p.int(ch.Max), "lines": templates.Join(lines), "labels": templates.Join(labels)})
}

func (p *embedPage) barChart(title string, ch dashboard.BarChart) templates.HTML {
	var bars []templates.HTML
	for _, b := range ch.Bars {
		bars = append(bars, p.partial("embed_chart_bar", templates.Values{"label": b.Label, "percent": b.Percent, "note": b.Note}))
	}
	return p.partial("embed_chart_bars", templates.Values{"title": title, "bars": templates.Join(bars)})
}

func (p *embedPage) int(n int) string { return templates.FormatInt(p.lang, int64(n)) }

func (p *embedPage) percent(f float64) string { return templates.FormatPercent(p.lang, f, 0) }

// duration formats a reply time in minutes, hours or days; "–" when
// there is none.
func (p *embedPage) duration(d time.Duration, count int) string {
	switch {
	case count == 0:
		return "–"
	case d < time.Hour:
		return p.t("embed.minutes", templates.FormatNumber(p.lang, d.Minutes(), 0))
	case d < 48*time.Hour:
		return p.t("embed.hours", templates.FormatNumber(p.lang, d.Hours(), 1))
	}
	return p.t("embed.days_short", templates.FormatNumber(p.lang, d.Hours()/24, 1))
}

func (p *embedPage) durations(d dashboard.Durations) string {
	if d.Count == 0 {
		return "–"
	}
	return p.t("embed.median_p90", p.duration(d.Median, d.Count), p.duration(d.P90, d.Count))
}

func (p *embedPage) when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return p.t("embed.never")
	}
	return templates.FormatDateTimeZone(p.lang, t, loc)
}

// month formats "2026-11" as the month's name and year.
func (p *embedPage) month(m string, loc *time.Location) string {
	t, err := time.ParseInLocation("2006-01", m, loc)
	if err != nil {
		return m
	}
	// FormatDate writes "1 november 2026"; the day is dropped.
	_, rest, _ := strings.Cut(templates.FormatDate(p.lang, t, loc), " ")
	return rest
}
