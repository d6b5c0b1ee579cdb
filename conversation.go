package recrubo

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Conversations: the chat between a tenant's recruiters and a candidate
// on one channel. Package messaging holds the rules (consent, the service
// window, costs); this file holds the types and the store contract.

// Channel is how messages travel.
type Channel string

// The channels.
const (
	ChannelWhatsApp Channel = "whatsapp"
)

// ServiceWindow is how long after a candidate's last inbound message free
// text may be sent; outside it only an approved template may start a chat.
const ServiceWindow = 24 * time.Hour

// ConversationState says whether a conversation is open or closed.
type ConversationState string

// The conversation states.
const (
	ConversationOpen   ConversationState = "open"
	ConversationClosed ConversationState = "closed"
)

// Conversation is one candidate's (or, unmatched, one phone number's)
// conversation on one channel. (TenantID, Channel, Phone) is unique.
type Conversation struct {
	TenantID string
	ID       string
	Channel  Channel
	// Phone is the other party's number in E.164.
	Phone string
	// CandidateID is the synced candidate the phone belongs to; empty when
	// no candidate has it (unmatched) or several do (Ambiguous).
	CandidateID string
	// Ambiguous is true when several synced candidates share Phone.
	Ambiguous bool
	// CandidateName is the name of the conversation's candidate as the
	// mirror last held it. The store keeps it: it follows the candidate
	// while the candidate is synced and stays when the candidate leaves
	// the mirror (a status out of scope, a delete), so the conversation
	// keeps its name. Written values are ignored.
	CandidateName string
	State         ConversationState
	AssigneeID    string // a Carerix user id, empty when unassigned

	LastInboundAt  time.Time // zero until the candidate writes
	LastOutboundAt time.Time
	LastMessageAt  time.Time
	// LastMessagePreview is the start of the newest message, for lists.
	LastMessagePreview string
	// EpisodeStartedAt is when the current episode began: zero for the
	// first one, else the last time a recruiter reopened the conversation
	// (a message that reopens a closed conversation continues its
	// episode). Each episode is summarised in Carerix as one activity.
	// It only moves forward.
	EpisodeStartedAt time.Time
	// CarerixActivityID is the _id of the Carerix activity (CRToDo) that
	// summarises the current episode; empty until one is written.
	CarerixActivityID string
	// SummaryHash is the hash of the notes last written to that activity.
	SummaryHash string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Matched reports whether the conversation belongs to exactly one synced
// candidate.
func (c *Conversation) Matched() bool { return c.CandidateID != "" && !c.Ambiguous }

// WindowOpen reports whether free text may be sent at now: the candidate
// wrote within the ServiceWindow.
func (c *Conversation) WindowOpen(now time.Time) bool {
	return !c.LastInboundAt.IsZero() && now.Sub(c.LastInboundAt) < ServiceWindow
}

// Direction says who wrote a message.
type Direction string

// The directions.
const (
	Inbound  Direction = "inbound"  // from the candidate
	Outbound Direction = "outbound" // from a recruiter
)

// MessageStatus is where an outbound message is on its way. Inbound
// messages are StatusReceived (and StatusRead once a recruiter read them).
type MessageStatus string

// The message statuses, in the order they are reached.
const (
	StatusQueued    MessageStatus = "queued"
	StatusSent      MessageStatus = "sent"
	StatusDelivered MessageStatus = "delivered"
	StatusRead      MessageStatus = "read"
	StatusFailed    MessageStatus = "failed"
	StatusReceived  MessageStatus = "received"
)

// Rank orders the statuses of an outbound message: queued (1) < sent (2) <
// failed (3) < delivered (4) < read (5); others rank 0. A stored status is
// only ever replaced by one of higher rank, so statuses that arrive late,
// twice or out of order never move a message backwards. Delivered and read
// outrank failed: they prove the message reached the candidate.
func (s MessageStatus) Rank() int {
	switch s {
	case StatusQueued:
		return 1
	case StatusSent:
		return 2
	case StatusFailed:
		return 3
	case StatusDelivered:
		return 4
	case StatusRead:
		return 5
	}
	return 0
}

// Message is one message of a conversation.
type Message struct {
	TenantID       string
	ID             string
	ConversationID string
	Direction      Direction
	// SenderID is the Carerix user who sent an outbound message.
	SenderID string
	// Kind says what the message holds; Content holds what its text
	// cannot (a file's facts, a location, contact cards, a tapped reply,
	// errors). Body is its text: a text message, a caption, a template
	// filled in, or a one-line summary of other kinds.
	Kind    MessageKind
	Content MessageContent
	Body    string
	// ReplyTo is the provider's id of the message this one answers.
	ReplyTo string
	// Template fields are set when the message is a template message.
	TemplateName     string
	TemplateLanguage string
	TemplateVars     []string
	// MediaType and MediaRef describe an attachment (image, document, ...)
	// by the provider's media id; the file is a MediaFile of the message.
	MediaType string
	MediaRef  string
	// ProviderID is the channel's message id (WhatsApp "wamid...").
	ProviderID string
	Status     MessageStatus
	// FailCode says why the message failed, for a page to translate:
	// WhatsApp's error code ("131047"), or one of the product's own
	// refusals (FailOptedOut, …). FailReason is the provider's or the
	// service's own words, for the log and the admin.
	FailCode   string
	FailReason string
	// SendAttempt counts the times a recruiter asked for the message to be
	// sent: 1 when sent, one more per Retry. Status updates that name an
	// older attempt are ignored.
	SendAttempt int
	// DispatchedAt is when the current attempt was handed to the provider;
	// zero until then. Set without a ProviderID it means the provider's
	// answer was lost, and the send is not repeated blindly.
	DispatchedAt time.Time

	CreatedAt   time.Time
	SentAt      time.Time
	DeliveredAt time.Time
	ReadAt      time.Time
	FailedAt    time.Time
}

// MessageCursor is a place in a conversation's thread, whose messages are
// ordered by CreatedAt (to the microsecond, as stored), then by ID: the
// messages before it are the older ones. Two messages created in the
// same microsecond keep their order by id, so paging never skips or
// repeats one.
type MessageCursor struct {
	CreatedAt time.Time
	ID        string
}

// Cursor is the place of m in its thread.
func (m *Message) Cursor() MessageCursor {
	return MessageCursor{CreatedAt: m.CreatedAt, ID: m.ID}
}

// The product's own reasons a message fails (Message.FailCode).
const (
	FailOptedOut     = "opted_out"     // the candidate opted out before it was sent
	FailTemplate     = "template"      // its template cannot be sent (any more)
	FailNotConnected = "not_connected" // the tenant's WhatsApp number is not connected
	FailUnreachable  = "unreachable"   // WhatsApp could not be reached, every attempt
	FailRefused      = "refused"       // refused before it reached WhatsApp
)

// PendingStatus is a status update for a provider message id no stored
// message carries yet (the update overtook the send's answer). It is
// applied when a message gets that provider id.
type PendingStatus struct {
	TenantID   string
	ProviderID string
	Status     MessageStatus
	At         time.Time
	// FailCode and Reason are the provider's error code and words of a
	// failed status (see Message).
	FailCode string
	Reason   string
}

// TemplateCategory is WhatsApp's pricing category of a template.
type TemplateCategory string

// The template categories.
const (
	CategoryMarketing      TemplateCategory = "marketing"
	CategoryUtility        TemplateCategory = "utility"
	CategoryAuthentication TemplateCategory = "authentication"
	// CategoryService is a conversation opened by the candidate (free of
	// template); it has a rate like the others.
	CategoryService TemplateCategory = "service"
)

// TemplateStatus is a template's approval status at the provider.
type TemplateStatus string

// The template statuses, as the provider names them (lower case). Only an
// approved template can be sent.
const (
	TemplateApproved        TemplateStatus = "approved"
	TemplatePending         TemplateStatus = "pending"
	TemplateRejected        TemplateStatus = "rejected"
	TemplatePaused          TemplateStatus = "paused"
	TemplateDisabled        TemplateStatus = "disabled"
	TemplateInAppeal        TemplateStatus = "in_appeal"
	TemplatePendingDeletion TemplateStatus = "pending_deletion"
	TemplateArchived        TemplateStatus = "archived"
	TemplateLimitExceeded   TemplateStatus = "limit_exceeded"
)

// Known reports whether s is one of the template statuses.
func (s TemplateStatus) Known() bool {
	switch s {
	case TemplateApproved, TemplatePending, TemplateRejected, TemplatePaused, TemplateDisabled,
		TemplateInAppeal, TemplatePendingDeletion, TemplateArchived, TemplateLimitExceeded:
		return true
	}
	return false
}

// MessageTemplate is a tenant's message template, as its WhatsApp
// Business Account has it. (TenantID, Name, Language) is unique.
type MessageTemplate struct {
	TenantID string
	Name     string
	Language string // e.g. "nl", "en_US"
	Category TemplateCategory
	Status   TemplateStatus
	// Body is the text with {{1}}, {{2}}, ... placeholders.
	Body string
	// Variables is how many placeholders the header and Body have: the
	// values a send fills, the header's first.
	Variables int
	// ProviderID is the provider's template id; empty for a template not
	// synced from the provider.
	ProviderID string
	// Components are the header, body, footer and buttons, with their
	// example values (see TemplateComponent).
	Components []TemplateComponent
	// Reason says why the provider rejected or paused the template.
	Reason string
	// UpdatedAt is when the template was last synced or changed.
	UpdatedAt time.Time
}

// placeholderRE finds a template's {{n}} placeholders.
var placeholderRE = regexp.MustCompile(`\{\{\s*([0-9]{1,2})\s*\}\}`)

// CountPlaceholders returns how many distinct {{n}} placeholders body has.
func CountPlaceholders(body string) int {
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		seen[m[1]] = true
	}
	return len(seen)
}

// Render fills the template's placeholders with vars and returns the text
// the candidate reads: a text header's line, then the body. The header's
// placeholders take the first values, the body's {{n}} the next ones; a
// placeholder without a value is left as it is.
func (t *MessageTemplate) Render(vars []string) string {
	header := t.HeaderText()
	k := min(CountPlaceholders(header), len(vars))
	body := fill(t.Body, vars[k:])
	if header == "" {
		return body
	}
	return fill(header, vars[:k]) + "\n" + body
}

// fill replaces s's {{n}} with vars[n-1].
func fill(s string, vars []string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
		if err != nil || n < 1 || n > len(vars) {
			return m
		}
		return vars[n-1]
	})
}

// Consent is a phone number's messaging consent within a tenant.
type Consent struct {
	TenantID string
	Phone    string // E.164
	OptedOut bool
	// Source says how consent was given or withdrawn ("stop-keyword",
	// "carerix", "recruiter:<user id>", ...).
	Source string
	At     time.Time
}

// CostRate is a tenant's price of one conversation of a category, in EUR.
type CostRate struct {
	TenantID string
	Category TemplateCategory
	Price    decimal.Decimal
}

// ConversationCost is one billed conversation of a category, or, under
// per-message pricing, one billed message.
type ConversationCost struct {
	TenantID       string
	ConversationID string
	Category       TemplateCategory
	Amount         decimal.Decimal
	// At is when it was billed; it counts in the month of At in At's
	// location.
	At time.Time
	// ProviderKey names what the provider bills: "conversation:<id>" for
	// its conversation id, "message:<wamid>" under per-message pricing.
	// One cost is recorded per key. Empty when the provider said nothing
	// about pricing: then a billing window of the conversation and
	// category decides (see BillConversation).
	ProviderKey string
	// MessageKey names the message attempt that is billed
	// ("<message id>:<attempt>"); one is billed at most once.
	MessageKey string
}

// PerMessage reports whether the cost bills one message (per-message
// pricing: its ProviderKey names a message) rather than one conversation.
func (c *ConversationCost) PerMessage() bool { return strings.HasPrefix(c.ProviderKey, "message:") }

// MonthlyCost is what a tenant's conversations of a category cost in a
// month ("2026-11"), in EUR.
type MonthlyCost struct {
	Month    string
	Category TemplateCategory
	Count    int64
	Amount   decimal.Decimal
}

// ConversationFilter selects conversations for the inbox list.
//
// Unread messages are the candidate's messages of an open conversation
// that came after the last recruiter message (an answer reads what came
// before it) and after the conversation was last read: by its assignee,
// or, while it has none, by anyone of the tenant. That is the
// conversation's own state, the same whoever looks. Closed conversations
// have none.
type ConversationFilter struct {
	// ViewerID is the Carerix user looking; ConversationSummary's
	// UnreadForViewer counts the messages they have not read.
	ViewerID string
	// AssigneeID, when set, keeps the conversations assigned to that user.
	AssigneeID string
	// Unassigned keeps conversations with no assignee.
	Unassigned bool
	// UnreadOnly keeps conversations with unread messages.
	UnreadOnly bool
	// Unmatched keeps conversations with no (or an ambiguous) candidate.
	Unmatched bool
	// Query matches the candidate's name (folding case, diacritics and
	// ligatures: "yilmaz" finds "Yılmaz", "IJzerman" finds "Ĳzerman") or
	// e-mail address, or, typed as a phone number in any notation, the
	// phone number (see PhoneSearchDigits), read as a number of
	// PhoneRegion (the tenant's) when written without a country code.
	Query       string
	PhoneRegion string
	// After, when set, continues the listing after that row: keyset
	// paging in the list's order, stable while conversations change.
	After *ListCursor
	Limit int
}

// ListCursor is a position in the inbox list's order (newest activity
// first, then ID): the last row a page held.
type ListCursor struct {
	LastMessageAt time.Time
	ID            string
}

// Cursor is the position of this row, to continue a listing after it.
func (s *ConversationSummary) Cursor() *ListCursor {
	return &ListCursor{LastMessageAt: s.LastMessageAt, ID: s.ID}
}

// ConversationSummary is one row of the inbox list. Its CandidateName
// (of the Conversation) is empty when the conversation never had a
// candidate.
type ConversationSummary struct {
	Conversation
	// CandidateSynced is true while the conversation's candidate is in
	// the mirror; false for a candidate that left it (and for
	// conversations without a candidate).
	CandidateSynced bool
	// Unread counts the conversation's unread messages (see
	// ConversationFilter): the same for every viewer.
	Unread int
	// UnreadForViewer counts the candidate's messages of the open
	// conversation after the last recruiter message that ViewerID has not
	// read.
	UnreadForViewer int
	// OptedOut is true when the phone number opted out of messages.
	OptedOut bool
}

// ConversationStore keeps conversations with candidates, their messages,
// message templates, consent and costs. The messaging package implements
// the rules on top of it.
type ConversationStore interface {
	// Conversation returns ENOTFOUND if there is no such conversation.
	Conversation(ctx context.Context, tenantID, id string) (*Conversation, error)
	// ConversationByPhone returns ENOTFOUND if there is none.
	ConversationByPhone(ctx context.Context, tenantID string, ch Channel, phone string) (*Conversation, error)
	// ConversationsByCandidate returns the candidate's conversations.
	ConversationsByCandidate(ctx context.Context, tenantID, candidateID string) ([]*Conversation, error)
	// SaveConversation inserts or updates c by ID, assigning an ID (and
	// CreatedAt) to a new one, and sets UpdatedAt. Returns ECONFLICT when
	// another conversation has c's channel and phone. Activity times
	// (LastInboundAt, LastOutboundAt, LastMessageAt with its preview,
	// EpisodeStartedAt) only move forward, so a writer
	// holding an older copy cannot undo a newer one; c is reloaded with
	// what was stored. CarerixActivityID and SummaryHash are not written
	// (see SetConversationActivity); they are cleared when
	// EpisodeStartedAt moves forward.
	SaveConversation(ctx context.Context, c *Conversation) error
	// SetConversationActivity records the Carerix activity summarising
	// the episode that started at episode, and the hash of its notes. It
	// writes nothing and reports false when the conversation has started
	// another episode since. Returns ENOTFOUND if there is no such
	// conversation.
	SetConversationActivity(ctx context.Context, tenantID, id string, episode time.Time, activityID, hash string) (bool, error)
	// ConversationsChangedSince returns the tenant's conversations with
	// exactly one candidate that had a message or a change at or after
	// since, by id.
	ConversationsChangedSince(ctx context.Context, tenantID string, since time.Time) ([]*Conversation, error)
	// ListConversations returns the inbox list, newest activity first.
	ListConversations(ctx context.Context, tenantID string, f ConversationFilter) ([]*ConversationSummary, error)

	// AddMessage stores a new message. A message whose ProviderID is
	// already stored is not added again: added reports false.
	AddMessage(ctx context.Context, m *Message) (added bool, err error)
	// UpdateMessage merges m's delivery fields into the stored message and
	// loads the result back into m: the status only moves up by Rank, the
	// provider id and the sent, delivered and read times are set once and
	// never cleared. FailReason and FailedAt are set only when the status
	// becomes failed, and cleared when it moves above failed, so a
	// delivered message carries no failure. Returns ENOTFOUND if
	// there is no such message and ECONFLICT if another message has the
	// provider id.
	UpdateMessage(ctx context.Context, m *Message) error
	// SetMessageDispatched sets (or, with a zero at, clears) DispatchedAt.
	SetMessageDispatched(ctx context.Context, tenantID, id string, at time.Time) error
	// RequeueMessage makes a failed outbound message queued again for a
	// new attempt (SendAttempt + 1, no provider id, no failure) and
	// returns it. Returns ENOTFOUND if there is no such message and
	// ECONFLICT if it is not failed.
	RequeueMessage(ctx context.Context, tenantID, id string) (*Message, error)
	// AddPendingStatus keeps a status update for a provider id no message
	// carries yet; the same status for the same id is kept once.
	AddPendingStatus(ctx context.Context, p *PendingStatus) error
	// TakePendingStatuses removes and returns the pending statuses of a
	// provider id, oldest first.
	TakePendingStatuses(ctx context.Context, tenantID, providerID string) ([]*PendingStatus, error)
	// Message returns ENOTFOUND if there is no such message.
	Message(ctx context.Context, tenantID, id string) (*Message, error)
	// MessageByProviderID returns ENOTFOUND if there is none.
	MessageByProviderID(ctx context.Context, tenantID, providerID string) (*Message, error)
	// Messages returns a conversation's newest limit messages, oldest first.
	Messages(ctx context.Context, tenantID, conversationID string, limit int) ([]*Message, error)
	// MessagesBefore returns the newest limit of the conversation's
	// messages before the cursor (older ones), oldest first; with
	// Messages it pages a thread back in time.
	MessagesBefore(ctx context.Context, tenantID, conversationID string, before MessageCursor, limit int) ([]*Message, error)
	// EachMessageSince calls fn with each of a tenant's messages created at
	// or after since, oldest first, for the dashboard's figures; an error
	// from fn stops the walk and is returned.
	EachMessageSince(ctx context.Context, tenantID string, since time.Time, fn func(*Message) error) error

	// MarkRead records that userID has read the conversation up to at.
	MarkRead(ctx context.Context, tenantID, conversationID, userID string, at time.Time) error
	// Unread counts the candidate's messages of the open conversation
	// after the last recruiter message that userID has not read.
	Unread(ctx context.Context, tenantID, conversationID, userID string) (int, error)

	SaveTemplate(ctx context.Context, t *MessageTemplate) error
	// Templates returns the tenant's templates, by name and language.
	Templates(ctx context.Context, tenantID string) ([]*MessageTemplate, error)

	// Consent returns a zero Consent (not opted out) when none is stored.
	Consent(ctx context.Context, tenantID, phone string) (*Consent, error)
	// SaveConsent stores c unless the stored consent of the phone number
	// is newer (a later At): an older event processed late never undoes a
	// newer one. c is reloaded with what is stored.
	SaveConsent(ctx context.Context, c *Consent) error

	SaveCostRate(ctx context.Context, r *CostRate) error
	CostRates(ctx context.Context, tenantID string) ([]*CostRate, error)
	// AddCost records one billable conversation of a category at at; it
	// counts in the month of at in at's location.
	AddCost(ctx context.Context, tenantID, conversationID string, cat TemplateCategory, amount decimal.Decimal, at time.Time) error
	// BillConversation records c unless it is billed already, and reports
	// whether it did. It is billed already when a cost with c's
	// MessageKey or ProviderKey is recorded, or, for a c without a
	// ProviderKey, when the billing window of c's conversation and
	// category is open at c.At; otherwise that window is (re)opened for
	// window from c.At. Concurrent calls record a cost once.
	BillConversation(ctx context.Context, c *ConversationCost, window time.Duration) (bool, error)
	// MonthlyCosts sums the costs from since on, by month and category.
	MonthlyCosts(ctx context.Context, tenantID string, since time.Time) ([]*MonthlyCost, error)
	// EachCost calls fn with each of a tenant's recorded costs billed at
	// or after from and before to, oldest first; an error from fn stops
	// the walk and is returned.
	EachCost(ctx context.Context, tenantID string, from, to time.Time, fn func(*ConversationCost) error) error
}
