package recrubo

import (
	"context"
	"time"
)

// A broadcast sends one approved template to the candidates matched to a
// vacancy, each at most once. Package messaging holds the rules.

// BroadcastState says whether a broadcast is still handing out messages.
type BroadcastState string

// The broadcast states.
const (
	BroadcastRunning BroadcastState = "running"
	BroadcastDone    BroadcastState = "done"
)

// Broadcast is a template sent to a vacancy's matched candidates.
type Broadcast struct {
	TenantID  string
	ID        string
	VacancyID string
	// TemplateName and TemplateLanguage name the approved template.
	TemplateName     string
	TemplateLanguage string
	// Vars are the template's values; placeholders such as
	// "{first_name}" are filled per candidate (see package messaging).
	Vars []string
	// CreatedBy is the Carerix user who sent it.
	CreatedBy string
	// RequestKey identifies the request that made it: the same request
	// sent again finds the broadcast instead of making a second.
	RequestKey string
	State      BroadcastState
	// Total is the number of recipients.
	Total      int
	CreatedAt  time.Time
	FinishedAt time.Time
}

// RecipientState is where one candidate of a broadcast is.
type RecipientState string

// The recipient states.
const (
	RecipientPending RecipientState = "pending" // not handled yet
	RecipientQueued  RecipientState = "queued"  // its message is stored and being sent
	RecipientSkipped RecipientState = "skipped" // not sent; Reason says why
)

// Why a recipient is skipped.
const (
	SkipNoMobile    = "no_mobile"    // no usable mobile number
	SkipOptedOut    = "opted_out"    // opted out of messages
	SkipAlreadySent = "already_sent" // an earlier broadcast of the vacancy sent them this template
	SkipGone        = "gone"         // no longer synced
	SkipTemplate    = "template"     // the template can no longer be sent
	SkipRefused     = "refused"      // the message was refused before sending
)

// BroadcastRecipient is one candidate of a broadcast.
type BroadcastRecipient struct {
	TenantID    string
	BroadcastID string
	CandidateID string
	// Position orders the recipients: they are handled in this order.
	Position int
	// Name and Phone are the candidate's when the broadcast was made.
	Name  string
	Phone string
	State RecipientState
	// Reason is a Skip reason of a skipped recipient.
	Reason string
	// MessageID is the message of a queued recipient.
	MessageID string
	UpdatedAt time.Time
}

// BroadcastResult is a recipient with how its message fared.
type BroadcastResult struct {
	BroadcastRecipient
	// MessageStatus, FailCode and FailReason are the message's, for a
	// queued recipient.
	MessageStatus MessageStatus
	FailCode      string
	FailReason    string
}

// BroadcastStore keeps broadcasts and their recipients.
type BroadcastStore interface {
	// CreateBroadcast stores b with its recipients, assigning b's ID and
	// CreatedAt. When a broadcast with b's RequestKey exists it stores
	// nothing, loads that one into b and reports false.
	CreateBroadcast(ctx context.Context, b *Broadcast, rs []*BroadcastRecipient) (created bool, err error)
	// Broadcast returns ENOTFOUND if there is no such broadcast.
	Broadcast(ctx context.Context, tenantID, id string) (*Broadcast, error)
	// VacancyBroadcasts returns a vacancy's broadcasts, newest first.
	VacancyBroadcasts(ctx context.Context, tenantID, vacancyID string, limit int) ([]*Broadcast, error)
	// PendingRecipients returns up to limit pending recipients in order.
	PendingRecipients(ctx context.Context, tenantID, broadcastID string, limit int) ([]*BroadcastRecipient, error)
	// SettleRecipient moves a pending recipient to r's State, Reason and
	// MessageID. It reports false, changing nothing, when the recipient
	// is no longer pending: someone else handled it.
	SettleRecipient(ctx context.Context, r *BroadcastRecipient) (bool, error)
	// BroadcastResults returns every recipient in order, with their
	// messages' statuses.
	BroadcastResults(ctx context.Context, tenantID, broadcastID string) ([]*BroadcastResult, error)
	// FinishBroadcast marks a broadcast done at at.
	FinishBroadcast(ctx context.Context, tenantID, id string, at time.Time) error
	// TemplateRecipients returns the candidates an earlier broadcast of
	// the vacancy queued the template (name, language) for.
	TemplateRecipients(ctx context.Context, tenantID, vacancyID, name, language string) ([]string, error)
}
