package whatsapp

import (
	"strconv"
	"strings"
	"time"
)

// Notification is the content of one webhook POST that ParseWebhook accepted.
type Notification struct {
	// Messages are inbound messages from candidates, in payload order.
	Messages []InboundMessage
	// Statuses are status updates for messages we sent, in payload order.
	Statuses []StatusUpdate
	// Errors are value-level errors (entry.changes.value.errors): problems
	// Meta reports about the number or the app that are not tied to one
	// message.
	Errors []ValueError
	// TemplateUpdates are message_template_status_update changes: a
	// template of the business account was approved, rejected, paused,
	// disabled, ...
	TemplateUpdates []TemplateStatusUpdate
	// OtherFields lists change fields other than "messages" and
	// "message_template_status_update" that were present but not parsed.
	OtherFields []string
}

// ValueError is a value-level error of a "messages" change.
type ValueError struct {
	StatusError
	// PhoneNumberID is the business phone number the change is about.
	PhoneNumberID string
	// BusinessAccountID is the WhatsApp Business Account id (entry.id).
	BusinessAccountID string
	// Time is when Meta sent the change (entry.time); zero when absent.
	Time time.Time
}

// TemplateStatusUpdate is a message_template_status_update change.
type TemplateStatusUpdate struct {
	// BusinessAccountID is the WhatsApp Business Account id (entry.id).
	BusinessAccountID string
	// TemplateID is message_template_id.
	TemplateID string
	// Name and Language identify the template.
	Name     string
	Language string
	// Event is the new state as Meta names it: APPROVED, REJECTED,
	// PAUSED, DISABLED, PENDING_DELETION, ARCHIVED, ...
	Event string
	// Reason explains a rejection or pause ("NONE" on approval).
	Reason string
	// Category is message_template_category, when present.
	Category string
	// Time is when Meta sent the change (entry.time); zero when absent.
	Time time.Time
}

// InboundMessage is a message a candidate sent to a business number.
type InboundMessage struct {
	// ID is the inbound wamid.
	ID string
	// From is the sender's WhatsApp id (wa_id), usually the phone number digits.
	From string
	// ProfileName is the sender's WhatsApp profile name, when provided.
	ProfileName string
	// Timestamp is when the candidate sent the message.
	Timestamp time.Time
	// Type is Meta's message type: text, image, document, audio, video,
	// sticker, location, button, interactive, reaction, contacts,
	// unsupported, ... Unknown types are kept.
	Type string
	// Text is the text body; for button and interactive replies the chosen
	// title, for reactions the emoji, for locations the name and address,
	// for contacts the first contact's name.
	Text string
	// Media is set for image, document, audio, video and sticker messages.
	Media *Media
	// Location is set for location messages.
	Location *Location
	// Contacts are the contact cards of a contacts message, each with its
	// name and numbers.
	Contacts []Contact
	// Reply is the tapped quick-reply button (type button) or the chosen
	// reply button or list row (type interactive).
	Reply *Reply
	// Reaction is set for reaction messages: the emoji a candidate put on
	// a message, or an empty emoji when they removed their reaction.
	Reaction *Reaction
	// Context is the id of the message this one replies to, when it is a reply.
	Context string
	// PhoneNumberID is the business phone number id that received the message.
	PhoneNumberID string
	// DisplayPhoneNumber is the business number as displayed.
	DisplayPhoneNumber string
	// BusinessAccountID is the WhatsApp Business Account id (entry.id).
	BusinessAccountID string
	// Errors are set for messages Meta could not process (type "unsupported").
	Errors []StatusError
}

// Media describes a media attachment. The content itself is fetched
// separately by ID through the Graph API.
type Media struct {
	// ID is the media id.
	ID string
	// MimeType is the media MIME type.
	MimeType string
	// SHA256 is the content hash Meta reports.
	SHA256 string
	// Caption is the caption the candidate typed, if any.
	Caption string
	// Filename is the original filename of a document.
	Filename string
	// Voice is set for an audio message recorded as a voice note.
	Voice bool
	// Animated is set for an animated sticker.
	Animated bool
}

// Contact is a contact card a candidate shared.
type Contact struct {
	// FormattedName is the name as shown; FirstName and LastName its parts.
	FormattedName string
	FirstName     string
	LastName      string
	// Organization is the company, department and title, joined.
	Organization string
	Phones       []ContactPhone
	Emails       []string
	URLs         []string
}

// Name returns the contact's formatted name, or its parts joined.
func (c Contact) Name() string {
	if c.FormattedName != "" {
		return c.FormattedName
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// ContactPhone is one number of a contact card.
type ContactPhone struct {
	// Phone is the number as the card holds it.
	Phone string
	// WaID is the number's WhatsApp id, when it has one.
	WaID string
	// Type is HOME, WORK, CELL, ... as the card says.
	Type string
}

// Reply is what a candidate chose by tapping a button or a list row.
type Reply struct {
	// Kind is "button" (a template's quick-reply button), "button_reply"
	// or "list_reply" (an interactive message's reply button or list row).
	Kind string
	// ID is the id the business gave the button or row (empty for a
	// quick-reply button, which has a payload).
	ID string
	// Title is the text the candidate saw and tapped.
	Title string
	// Description is a list row's description.
	Description string
	// Payload is a quick-reply button's payload.
	Payload string
}

// Reaction is an emoji a candidate put on a message, or took off.
type Reaction struct {
	// MessageID is the wamid of the message reacted to.
	MessageID string
	// Emoji is the reaction; empty when the candidate removed it.
	Emoji string
}

// Location is a shared location.
type Location struct {
	// Latitude in degrees.
	Latitude float64
	// Longitude in degrees.
	Longitude float64
	// Name of the place, if any.
	Name string
	// Address of the place, if any.
	Address string
	// URL of the place, if any.
	URL string
}

// Summary returns a one-line text for showing the message in an inbox:
// the text itself, or a placeholder such as "[image] caption".
func (m InboundMessage) Summary() string {
	if m.Type == "text" {
		return m.Text
	}
	parts := []string{"[" + m.Type + "]"}
	if m.Media != nil {
		for _, s := range []string{m.Media.Filename, m.Media.Caption} {
			if s != "" {
				parts = append(parts, s)
			}
		}
	}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if r := m.Reply; r != nil && r.Description != "" {
		parts = append(parts, "("+r.Description+")")
	}
	return strings.Join(parts, " ")
}

// StatusUpdate reports a change in the delivery of a message we sent.
type StatusUpdate struct {
	// MessageID is the wamid returned when the message was sent.
	MessageID string
	// Status is sent, delivered, read or failed; other values Meta may add
	// are kept as received and ignored by [Advance].
	Status Status
	// Timestamp is when the status change happened.
	Timestamp time.Time
	// RecipientID is the candidate's wa_id.
	RecipientID string
	// Errors explain a failed status.
	Errors []StatusError
	// ConversationID identifies the conversation (pricing window), if present.
	ConversationID string
	// ConversationOrigin is conversation.origin.type, e.g. service or marketing.
	ConversationOrigin string
	// Category is pricing.category: service, utility, marketing, authentication, ...
	Category string
	// PricingModel is pricing.pricing_model, e.g. PMP or CBP.
	PricingModel string
	// Billable is pricing.billable.
	Billable bool
	// BizOpaqueCallbackData echoes the callback data passed when sending.
	BizOpaqueCallbackData string
	// PhoneNumberID is the business phone number id that sent the message.
	PhoneNumberID string
	// BusinessAccountID is the WhatsApp Business Account id (entry.id).
	BusinessAccountID string
}

// StatusError is an error object carried in a webhook: on a failed status,
// on an unsupported inbound message, or at value level.
type StatusError struct {
	// Code is Meta's error code, e.g. 131047.
	Code int
	// Title is the short title, e.g. "Re-engagement message".
	Title string
	// Message is the error message.
	Message string
	// Details is error_data.details.
	Details string
}

// Reason is a short provider reason suitable for storing on a failed message.
func (e StatusError) Reason() string {
	text := e.Details
	if text == "" {
		text = e.Message
	}
	if text == "" {
		text = e.Title
	}
	return strings.TrimSpace(strconv.Itoa(e.Code) + ": " + text)
}

// FailureCode returns the first error's code as text, or "" when there
// is none.
func (s StatusUpdate) FailureCode() string {
	if len(s.Errors) == 0 || s.Errors[0].Code == 0 {
		return ""
	}
	return strconv.Itoa(s.Errors[0].Code)
}

// FailureReason returns the first error's reason, or "" when there is none.
func (s StatusUpdate) FailureReason() string {
	if len(s.Errors) == 0 {
		return ""
	}
	return s.Errors[0].Reason()
}
