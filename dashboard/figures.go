package dashboard

import (
	"time"

	"github.com/shopspring/decimal"
)

// Periods are the windows the dashboard offers, in days.
var Periods = []int{7, 30, 90}

// Figures are the dashboard's numbers for one window. The definitions
// are the README's ("Dashboard"); each field says which it follows.
type Figures struct {
	Days int
	// From is midnight of the window's first day in the tenant's zone;
	// To is now. The window's days run from From to midnight after To.
	From, To time.Time
	// Total sums every conversation in scope (the tenant's, or those of
	// the vacancy's matched candidates); Recruiters and Vacancies break
	// it down (by assignee; by matched vacancy).
	Total      Row
	Recruiters []Row
	Vacancies  []Row
	// UnreadForViewer counts the open conversations assigned to the
	// viewer, or to nobody, with messages the viewer has not read
	// (Total.Unread is the same for every viewer).
	UnreadForViewer int
	// Trend counts the messages of the conversations in scope per day of
	// the window, oldest first.
	Trend []Day
	// Costs are the WhatsApp costs of the conversations in scope billed
	// within the window's days, per month (the first and last months
	// only in part), oldest first.
	Costs []MonthCost
	Sync  SyncHealth
}

// Row is one line of figures.
type Row struct {
	Key, Label string
	// SharedLabel is set on a vacancy row whose title another row has
	// too; it is shown with its number (Key).
	SharedLabel bool
	// Open, Unread and AwaitingReply count conversations now: open; open
	// with unread messages (see recrubo.ConversationFilter); open, not
	// opted out, and the candidate wrote after the recruiter's last
	// message.
	Open, Unread, AwaitingReply int
	// Contacted counts conversations with a recruiter message of the
	// window that reached WhatsApp (sent, delivered or read; a failed
	// one does not contact); Replied those of them in which the candidate
	// wrote after such a message (an opt-out is no reply).
	Contacted, Replied int
	// RecruiterReply are the times from a candidate's first message not
	// yet answered to the recruiter's next message; CandidateReply the
	// times from the recruiter's last message that reached WhatsApp to
	// the candidate's next message (not an opt-out). Both pairs lie in
	// the window.
	RecruiterReply, CandidateReply Durations
	// Outbound messages of the window by how far they got: Sent counts
	// those that reached WhatsApp (delivered and read included).
	Sent, Delivered, Read, Failed int
}

// ResponseRate is Replied / Contacted, 0 when nobody was contacted.
func (r Row) ResponseRate() float64 {
	if r.Contacted == 0 {
		return 0
	}
	return float64(r.Replied) / float64(r.Contacted)
}

// Durations summarise reply times.
type Durations struct {
	Count       int
	Median, P90 time.Duration
	raw         []time.Duration // until summarised
}

// Day is one day of the trend.
type Day struct {
	Date              time.Time // midnight in the tenant's zone
	Inbound, Outbound int
}

// MonthCost is the WhatsApp cost of one month's part of the window, all
// categories summed. Conversations and Messages count what was paid for:
// billed conversations, and billed messages under per-message pricing;
// free ones (amount zero) are not counted.
type MonthCost struct {
	Month                   string // "2026-11"
	Conversations, Messages int64
	Amount                  decimal.Decimal
}

// SyncHealth says how fresh the mirror is.
type SyncHealth struct {
	LastEventAt, LastAppliedAt time.Time
	LastError                  string
	Candidates, Vacancies      int64
}
