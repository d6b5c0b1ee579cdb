package dashboard

import (
	"time"

	"github.com/shopspring/decimal"
)

// Periods are the windows the dashboard offers, in days.
var Periods = []int{7, 30, 90}

// Figures are the dashboard's numbers for one window.
type Figures struct {
	Days     int
	From, To time.Time
	// Total sums every conversation in scope; Recruiters and Vacancies
	// break it down (by assignee; by matched vacancy).
	Total      Row
	Recruiters []Row
	Vacancies  []Row
	// Trend counts messages per day of the window, oldest first.
	Trend []Day
	// Costs are the WhatsApp costs per month since the window started.
	Costs []MonthCost
	Sync  SyncHealth
}

// Row is one line of figures.
type Row struct {
	Key, Label string
	// Open, Unread and AwaitingReply count conversations now: open; with
	// messages the assignee has not read; whose last message is the
	// candidate's.
	Open, Unread, AwaitingReply int
	// Contacted counts conversations a recruiter wrote in during the
	// window; Replied those of them in which the candidate wrote after.
	Contacted, Replied int
	// RecruiterReply and CandidateReply are the times to first reply of
	// each side.
	RecruiterReply, CandidateReply Durations
	// Outbound messages of the window by how far they got.
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

// MonthCost is the WhatsApp cost of one month, all categories summed.
type MonthCost struct {
	Month  string // "2026-11"
	Count  int64
	Amount decimal.Decimal
}

// SyncHealth says how fresh the mirror is.
type SyncHealth struct {
	LastEventAt, LastAppliedAt time.Time
	LastError                  string
	Candidates, Vacancies      int64
}
