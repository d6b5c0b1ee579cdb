package recrubo

import (
	"context"
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
	Ambiguous  bool
	State      ConversationState
	AssigneeID string // a Carerix user id, empty when unassigned

	LastInboundAt  time.Time // zero until the candidate writes
	LastOutboundAt time.Time
	LastMessageAt  time.Time
	// LastMessagePreview is the start of the newest message, for lists.
	LastMessagePreview string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

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

// Message is one message of a conversation.
type Message struct {
	TenantID       string
	ID             string
	ConversationID string
	Direction      Direction
	// SenderID is the Carerix user who sent an outbound message.
	SenderID string
	Body     string
	// Template fields are set when the message is a template message.
	TemplateName     string
	TemplateLanguage string
	TemplateVars     []string
	// MediaType and MediaRef describe an attachment (image, document, ...)
	// by the provider's media id; the inbox shows a placeholder.
	MediaType string
	MediaRef  string
	// ProviderID is the channel's message id (WhatsApp "wamid...").
	ProviderID string
	Status     MessageStatus
	FailReason string // the provider's reason when Status is failed

	CreatedAt   time.Time
	SentAt      time.Time
	DeliveredAt time.Time
	ReadAt      time.Time
	FailedAt    time.Time
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

// The template statuses.
const (
	TemplateApproved TemplateStatus = "approved"
	TemplatePending  TemplateStatus = "pending"
	TemplateRejected TemplateStatus = "rejected"
)

// MessageTemplate is a tenant's pre-approved message template.
// (TenantID, Name, Language) is unique.
type MessageTemplate struct {
	TenantID string
	Name     string
	Language string // e.g. "nl", "en_US"
	Category TemplateCategory
	Status   TemplateStatus
	// Body is the text with {{1}}, {{2}}, ... placeholders.
	Body string
	// Variables is how many placeholders Body has.
	Variables int
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

// MonthlyCost is what a tenant's conversations of a category cost in a
// month ("2026-11"), in EUR.
type MonthlyCost struct {
	Month    string
	Category TemplateCategory
	Count    int64
	Amount   decimal.Decimal
}

// ConversationFilter selects conversations for the inbox list.
type ConversationFilter struct {
	// ViewerID is the Carerix user looking: unread counts are theirs.
	ViewerID string
	// AssigneeID, when set, keeps the conversations assigned to that user.
	AssigneeID string
	// Unassigned keeps conversations with no assignee.
	Unassigned bool
	// UnreadOnly keeps conversations with messages ViewerID has not read.
	UnreadOnly bool
	// Unmatched keeps conversations with no (or an ambiguous) candidate.
	Unmatched bool
	// Query matches the candidate's name or the phone number.
	Query string
	Limit int
}

// ConversationSummary is one row of the inbox list.
type ConversationSummary struct {
	Conversation
	CandidateName string // empty when unmatched
	Unread        int    // inbound messages ViewerID has not read
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
	// SaveConversation inserts or updates c (by ID; a new one needs an ID).
	SaveConversation(ctx context.Context, c *Conversation) error
	// ListConversations returns the inbox list, newest activity first.
	ListConversations(ctx context.Context, tenantID string, f ConversationFilter) ([]*ConversationSummary, error)

	// AddMessage stores a new message. A message whose ProviderID is
	// already stored is not added again: added reports false.
	AddMessage(ctx context.Context, m *Message) (added bool, err error)
	// UpdateMessage saves a message's status fields.
	UpdateMessage(ctx context.Context, m *Message) error
	// Message returns ENOTFOUND if there is no such message.
	Message(ctx context.Context, tenantID, id string) (*Message, error)
	// MessageByProviderID returns ENOTFOUND if there is none.
	MessageByProviderID(ctx context.Context, tenantID, providerID string) (*Message, error)
	// Messages returns a conversation's newest limit messages, oldest first.
	Messages(ctx context.Context, tenantID, conversationID string, limit int) ([]*Message, error)
	// MessagesSince returns a tenant's messages created at or after since,
	// oldest first, for the dashboard's figures.
	MessagesSince(ctx context.Context, tenantID string, since time.Time) ([]*Message, error)

	// MarkRead records that userID has read the conversation up to at.
	MarkRead(ctx context.Context, tenantID, conversationID, userID string, at time.Time) error
	// Unread counts the inbound messages of the conversation after userID
	// last read it.
	Unread(ctx context.Context, tenantID, conversationID, userID string) (int, error)

	SaveTemplate(ctx context.Context, t *MessageTemplate) error
	// Templates returns the tenant's templates, by name and language.
	Templates(ctx context.Context, tenantID string) ([]*MessageTemplate, error)

	// Consent returns a zero Consent (not opted out) when none is stored.
	Consent(ctx context.Context, tenantID, phone string) (*Consent, error)
	SaveConsent(ctx context.Context, c *Consent) error

	SaveCostRate(ctx context.Context, r *CostRate) error
	CostRates(ctx context.Context, tenantID string) ([]*CostRate, error)
	// AddCost records one billable conversation of a category at at.
	AddCost(ctx context.Context, tenantID, conversationID string, cat TemplateCategory, amount decimal.Decimal, at time.Time) error
	// MonthlyCosts sums the costs from since on, by month and category.
	MonthlyCosts(ctx context.Context, tenantID string, since time.Time) ([]*MonthlyCost, error)
}
