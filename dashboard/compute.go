package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Source is what the figures are computed from.
type Source interface {
	ListConversations(ctx context.Context, tenantID string, f recrubo.ConversationFilter) ([]*recrubo.ConversationSummary, error)
	EachMessageSince(ctx context.Context, tenantID string, since time.Time, fn func(*recrubo.Message) error) error
	MatchesByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Match, error)
	Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error)
	Recruiters(ctx context.Context, tenantID string) ([]*recrubo.Recruiter, error)
	MonthlyCosts(ctx context.Context, tenantID string, since time.Time) ([]*recrubo.MonthlyCost, error)
	SyncStatus(ctx context.Context, tenantID string) (*recrubo.SyncStatus, error)
	CountCandidates(ctx context.Context, tenantID string) (int64, error)
	CountVacancies(ctx context.Context, tenantID string) (int64, error)
}

// Request selects the figures: a tenant, a window of Days ending at Now,
// and optionally one vacancy (only conversations of its matched
// candidates count). ViewerID reads unassigned conversations' unread state.
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

// Compute computes the figures of r from src.
func Compute(ctx context.Context, src Source, r Request) (*Figures, error) {
	if !ValidDays(r.Days) {
		return nil, recrubo.Errorf(recrubo.EINVALID, "The period must be 7, 30 or 90 days.")
	}
	t := r.Tenant
	loc := t.Location()
	to := r.Now.In(loc)
	startDay := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1-r.Days)
	f := &Figures{Days: r.Days, From: startDay, To: to}

	var msgs []*recrubo.Message
	byConv := map[string][]*recrubo.Message{}
	if err := src.EachMessageSince(ctx, t.ID, startDay, func(m *recrubo.Message) error {
		m.Body, m.TemplateVars = "", nil // figures never read them
		msgs = append(msgs, m)
		byConv[m.ConversationID] = append(byConv[m.ConversationID], m)
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
	listing := recrubo.ConversationFilter{ViewerID: r.ViewerID, UnreadByAssignee: true, Limit: conversationPage}
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
			cf := convFigures(&c.Conversation, c.Unread, byConv[c.ID], startDay)
			f.Total.add(cf)
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
	f.Total.finish()
	f.Trend = trend(msgs, startDay, r.Days, loc)
	if f.Costs, err = costs(ctx, src, t.ID, startDay); err != nil {
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

// convFigures computes a conversation's figures from its messages of the
// window (oldest first).
func convFigures(c *recrubo.Conversation, unread int, msgs []*recrubo.Message, from time.Time) rowFigures {
	var f rowFigures
	f.open = c.State == recrubo.ConversationOpen
	f.unread = unread > 0
	f.awaiting = f.open && !c.LastInboundAt.IsZero() && c.LastInboundAt.After(c.LastOutboundAt)
	var runStart time.Time
	var runDir recrubo.Direction
	for _, m := range msgs {
		if m.CreatedAt.Before(from) {
			continue
		}
		if m.Direction == recrubo.Outbound {
			f.contacted = true
			switch {
			case m.Status == recrubo.StatusFailed:
				f.failed++
			case m.Status.Rank() >= recrubo.StatusSent.Rank():
				f.sent++
			}
			if m.Status == recrubo.StatusDelivered || m.Status == recrubo.StatusRead {
				f.delivered++
			}
			if m.Status == recrubo.StatusRead {
				f.read++
			}
		} else if f.contacted {
			f.replied = true
		}
		if m.Direction != runDir {
			if !runStart.IsZero() {
				d := m.CreatedAt.Sub(runStart)
				if m.Direction == recrubo.Outbound {
					f.recruiterReply = append(f.recruiterReply, d)
				} else {
					f.candidateReply = append(f.candidateReply, d)
				}
			}
			runStart, runDir = m.CreatedAt, m.Direction
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

// trend counts messages per day from start for days days.
func trend(msgs []*recrubo.Message, start time.Time, days int, loc *time.Location) []Day {
	out := make([]Day, days)
	for i := range out {
		out[i].Date = start.AddDate(0, 0, i)
	}
	for _, m := range msgs {
		at := m.CreatedAt.In(loc)
		d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
		i := int(d.Sub(start).Hours()+12) / 24 // rounding absorbs DST shifts
		if i < 0 || i >= days {
			continue
		}
		if m.Direction == recrubo.Inbound {
			out[i].Inbound++
		} else {
			out[i].Outbound++
		}
	}
	return out
}

// costs sums the categories of each month from the month of since on.
func costs(ctx context.Context, src Source, tenantID string, since time.Time) ([]MonthCost, error) {
	monthStart := time.Date(since.Year(), since.Month(), 1, 0, 0, 0, 0, since.Location())
	mc, err := src.MonthlyCosts(ctx, tenantID, monthStart)
	if err != nil {
		return nil, fmt.Errorf("dashboard: reading costs: %w", err)
	}
	var out []MonthCost
	for _, c := range mc {
		if n := len(out); n > 0 && out[n-1].Month == c.Month {
			out[n-1].Count += c.Count
			out[n-1].Amount = out[n-1].Amount.Add(c.Amount)
			continue
		}
		out = append(out, MonthCost{Month: c.Month, Count: c.Count, Amount: c.Amount})
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
