package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
)

// Source is what the figures are computed from.
type Source interface {
	ListConversations(ctx context.Context, tenantID string, f recrubo.ConversationFilter) ([]*recrubo.ConversationSummary, error)
	EachMessageSince(ctx context.Context, tenantID string, since time.Time, fn func(*recrubo.Message) error) error
	EachCost(ctx context.Context, tenantID string, from, to time.Time, fn func(*recrubo.ConversationCost) error) error
	MatchesByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Match, error)
	Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error)
	Recruiters(ctx context.Context, tenantID string) ([]*recrubo.Recruiter, error)
	SyncStatus(ctx context.Context, tenantID string) (*recrubo.SyncStatus, error)
	CountCandidates(ctx context.Context, tenantID string) (int64, error)
	CountVacancies(ctx context.Context, tenantID string) (int64, error)
}

// Request selects the figures: a tenant, a window of Days ending at Now,
// and optionally one vacancy (only conversations of its matched
// candidates count). ViewerID is who looks, for UnreadForViewer.
type Request struct {
	Tenant    *recrubo.Tenant
	Days      int
	Now       time.Time
	VacancyID string
	ViewerID  string
}

// Unassigned is the Row key of conversations nobody is assigned to.
const Unassigned = "-"

// conversationPage is how many conversations one read of the listing
// holds; Compute pages through them all.
const conversationPage = 500

// ValidDays reports whether days is one of Periods.
func ValidDays(days int) bool { return slices.Contains(Periods, days) }

// message is what the figures read of a message.
type message struct {
	at        time.Time
	direction recrubo.Direction
	status    recrubo.MessageStatus
	optOut    bool
}

// Compute computes the figures of r from src.
func Compute(ctx context.Context, src Source, r Request) (*Figures, error) {
	if !ValidDays(r.Days) {
		return nil, recrubo.E(recrubo.EINVALID, "embed.error.period")
	}
	t := r.Tenant
	loc := t.Location()
	to := r.Now.In(loc)
	startDay := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1-r.Days)
	endDay := startDay.AddDate(0, 0, r.Days) // midnight after today
	f := &Figures{Days: r.Days, From: startDay, To: to}

	byConv := map[string][]message{}
	if err := src.EachMessageSince(ctx, t.ID, startDay, func(m *recrubo.Message) error {
		if !m.CreatedAt.Before(endDay) {
			return nil
		}
		byConv[m.ConversationID] = append(byConv[m.ConversationID],
			message{at: m.CreatedAt, direction: m.Direction, status: m.Status, optOut: messaging.IsOptOut(m)})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("dashboard: reading messages: %w", err)
	}

	names, err := recruiterNames(ctx, src, t.ID)
	if err != nil {
		return nil, err
	}
	vac := newVacancyIndex(ctx, src, t.ID)
	recRows := map[string]*Row{}
	vacRows := map[string]*Row{}
	inScope := map[string]bool{}
	listing := recrubo.ConversationFilter{ViewerID: r.ViewerID, Limit: conversationPage}
	for {
		convs, err := src.ListConversations(ctx, t.ID, listing)
		if err != nil {
			return nil, fmt.Errorf("dashboard: listing conversations: %w", err)
		}
		for _, c := range convs {
			vacIDs, err := vac.ofCandidate(c.CandidateID)
			if err != nil {
				return nil, err
			}
			if r.VacancyID != "" && !slices.Contains(vacIDs, r.VacancyID) {
				continue
			}
			inScope[c.ID] = true
			cf := convFigures(c, byConv[c.ID])
			f.Total.add(cf)
			if c.UnreadForViewer > 0 && (c.AssigneeID == "" || c.AssigneeID == r.ViewerID) {
				f.UnreadForViewer++
			}
			key := c.AssigneeID
			if key == "" {
				key = Unassigned
			}
			rowOf(recRows, key, names[key]).add(cf)
			for _, id := range vacIDs {
				rowOf(vacRows, id, vac.title(id)).add(cf)
			}
		}
		if len(convs) < conversationPage {
			break
		}
		listing.After = convs[len(convs)-1].Cursor()
	}
	f.Recruiters = finish(recRows)
	f.Vacancies = finish(vacRows)
	markSharedLabels(f.Vacancies)
	f.Total.finish()
	f.Trend = trend(byConv, inScope, startDay, r.Days, loc)
	// The tenant's dashboard counts every cost; a vacancy's those of its
	// conversations.
	counted := func(conversationID string) bool { return r.VacancyID == "" || inScope[conversationID] }
	if f.Costs, err = costs(ctx, src, t.ID, startDay, endDay, loc, counted); err != nil {
		return nil, err
	}
	if f.Sync, err = syncHealth(ctx, src, t.ID); err != nil {
		return nil, err
	}
	return f, nil
}

// rowFigures are one conversation's contributions, before durations are
// summarised.
type rowFigures struct {
	open, unread, awaiting, contacted, replied bool
	recruiterReply, candidateReply             []time.Duration
	sent, delivered, read, failed              int
}

// reached reports whether an outbound message of status st reached
// WhatsApp: sent, delivered or read.
func reached(st recrubo.MessageStatus) bool {
	return st == recrubo.StatusSent || st == recrubo.StatusDelivered || st == recrubo.StatusRead
}

// convFigures computes a conversation's figures (see Row) from its
// messages of the window, oldest first.
func convFigures(c *recrubo.ConversationSummary, msgs []message) rowFigures {
	var f rowFigures
	f.open = c.State == recrubo.ConversationOpen
	f.unread = c.Unread > 0
	f.awaiting = f.open && !c.OptedOut && !c.LastInboundAt.IsZero() && c.LastInboundAt.After(c.LastOutboundAt)
	// lastOut is the recruiter's last message that reached WhatsApp and
	// the candidate has not answered yet; waiting is the candidate's first
	// message the recruiter has not answered yet.
	var lastOut, waiting time.Time
	for _, m := range msgs {
		if m.direction == recrubo.Outbound {
			switch {
			case m.status == recrubo.StatusFailed:
				f.failed++
			case reached(m.status):
				f.sent++
			}
			if m.status == recrubo.StatusDelivered || m.status == recrubo.StatusRead {
				f.delivered++
			}
			if m.status == recrubo.StatusRead {
				f.read++
			}
			if !waiting.IsZero() {
				f.recruiterReply = append(f.recruiterReply, m.at.Sub(waiting))
				waiting = time.Time{}
			}
			if reached(m.status) {
				f.contacted = true
				lastOut = m.at
			}
			continue
		}
		if m.optOut {
			continue
		}
		if !lastOut.IsZero() {
			f.replied = true
			f.candidateReply = append(f.candidateReply, m.at.Sub(lastOut))
			lastOut = time.Time{}
		}
		if waiting.IsZero() {
			waiting = m.at
		}
	}
	return f
}

func (r *Row) add(f rowFigures) {
	r.Open += b2i(f.open)
	r.Unread += b2i(f.unread)
	r.AwaitingReply += b2i(f.awaiting)
	r.Contacted += b2i(f.contacted)
	r.Replied += b2i(f.replied && f.contacted)
	r.Sent += f.sent
	r.Delivered += f.delivered
	r.Read += f.read
	r.Failed += f.failed
	r.RecruiterReply.raw = append(r.RecruiterReply.raw, f.recruiterReply...)
	r.CandidateReply.raw = append(r.CandidateReply.raw, f.candidateReply...)
}

func (r *Row) finish() {
	r.RecruiterReply.summarise()
	r.CandidateReply.summarise()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func rowOf(m map[string]*Row, key, label string) *Row {
	r, ok := m[key]
	if !ok {
		r = &Row{Key: key, Label: label}
		m[key] = r
	}
	return r
}

// finish summarises the rows and orders them by conversations contacted,
// then open, then label.
func finish(m map[string]*Row) []Row {
	out := make([]Row, 0, len(m))
	for _, r := range m {
		r.finish()
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Row) int {
		if c := cmp.Compare(b.Contacted, a.Contacted); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Open, a.Open); c != 0 {
			return c
		}
		return cmp.Compare(a.Label+a.Key, b.Label+b.Key)
	})
	return out
}

// markSharedLabels sets SharedLabel on every row whose label another row
// has too.
func markSharedLabels(rows []Row) {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Label]++
	}
	for i := range rows {
		rows[i].SharedLabel = n[rows[i].Label] > 1
	}
}

func recruiterNames(ctx context.Context, src Source, tenantID string) (map[string]string, error) {
	rs, err := src.Recruiters(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("dashboard: listing recruiters: %w", err)
	}
	names := make(map[string]string, len(rs)+1)
	for _, r := range rs {
		names[r.ID] = r.FullName()
	}
	return names, nil
}

// trend counts the messages of the conversations in scope per day from
// start for days days.
func trend(byConv map[string][]message, inScope map[string]bool, start time.Time, days int, loc *time.Location) []Day {
	out := make([]Day, days)
	for i := range out {
		out[i].Date = start.AddDate(0, 0, i)
	}
	for id, msgs := range byConv {
		if !inScope[id] {
			continue
		}
		for _, m := range msgs {
			i := dayIndex(m.at, start, loc)
			if i < 0 || i >= days {
				continue
			}
			if m.direction == recrubo.Inbound {
				out[i].Inbound++
			} else {
				out[i].Outbound++
			}
		}
	}
	return out
}

// dayIndex is the day of the window at falls on, counted from start.
func dayIndex(at, start time.Time, loc *time.Location) int {
	at = at.In(loc)
	d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	return int(d.Sub(start).Hours()+12) / 24 // rounding absorbs DST shifts
}

// costs sums the costs billed from from to before to whose conversation
// counts, per month in loc.
func costs(ctx context.Context, src Source, tenantID string, from, to time.Time, loc *time.Location,
	counts func(conversationID string) bool) ([]MonthCost, error) {
	var out []MonthCost
	err := src.EachCost(ctx, tenantID, from, to, func(c *recrubo.ConversationCost) error {
		if !counts(c.ConversationID) {
			return nil
		}
		month := c.At.In(loc).Format("2006-01")
		i := slices.IndexFunc(out, func(mc MonthCost) bool { return mc.Month == month })
		if i < 0 {
			out = append(out, MonthCost{Month: month})
			i = len(out) - 1
		}
		mc := &out[i]
		mc.Amount = mc.Amount.Add(c.Amount)
		if c.Amount.IsPositive() {
			if c.PerMessage() {
				mc.Messages++
			} else {
				mc.Conversations++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: reading costs: %w", err)
	}
	slices.SortFunc(out, func(a, b MonthCost) int { return cmp.Compare(a.Month, b.Month) })
	return out, nil
}

// TotalCost sums the months' costs exactly.
func (f *Figures) TotalCost() decimal.Decimal {
	sum := decimal.Zero
	for _, c := range f.Costs {
		sum = sum.Add(c.Amount)
	}
	return sum
}

// CostUnits reports what the window's costs paid for: conversations,
// messages (per-message pricing), or both.
func (f *Figures) CostUnits() (conversations, messages bool) {
	for _, c := range f.Costs {
		conversations = conversations || c.Conversations > 0
		messages = messages || c.Messages > 0
	}
	return conversations, messages
}

func syncHealth(ctx context.Context, src Source, tenantID string) (SyncHealth, error) {
	var h SyncHealth
	st, err := src.SyncStatus(ctx, tenantID)
	switch {
	case err == nil:
		h.LastEventAt, h.LastAppliedAt, h.LastError = st.LastEventAt, st.LastAppliedAt, st.LastError
	case recrubo.ErrorCode(err) != recrubo.ENOTFOUND:
		return h, fmt.Errorf("dashboard: reading sync status: %w", err)
	}
	if h.Candidates, err = src.CountCandidates(ctx, tenantID); err != nil {
		return h, fmt.Errorf("dashboard: counting candidates: %w", err)
	}
	if h.Vacancies, err = src.CountVacancies(ctx, tenantID); err != nil {
		return h, fmt.Errorf("dashboard: counting vacancies: %w", err)
	}
	return h, nil
}
