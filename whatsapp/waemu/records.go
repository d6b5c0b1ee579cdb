package waemu

import (
	"slices"
	"time"
)

// SentMessage is a message the send endpoint accepted.
type SentMessage struct {
	// ID is the wamid returned to the sender.
	ID string `json:"id"`
	// PhoneNumberID is the business phone number id it was sent from.
	PhoneNumberID string `json:"phone_number_id"`
	// To is the recipient's digits.
	To string `json:"to"`
	// Type is "text", "template", "image", "video", "audio" or "document".
	Type string `json:"type"`
	// MediaID is the uploaded file of a media message; Filename a
	// document's file name.
	MediaID  string `json:"media_id,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Body is the text body, or the template body with parameters filled in.
	Body string `json:"body"`
	// PreviewURL is text.preview_url.
	PreviewURL bool `json:"preview_url,omitempty"`
	// TemplateName and TemplateLanguage identify a template message.
	TemplateName     string `json:"template_name,omitempty"`
	TemplateLanguage string `json:"template_language,omitempty"`
	// TemplateParams are the header then body parameters, in order.
	TemplateParams []string `json:"template_params,omitempty"`
	// BizOpaqueCallbackData is the callback data sent with the message.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`
	// AcceptedAt is the emulator clock when the send was accepted.
	AcceptedAt time.Time `json:"accepted_at"`
	// Statuses are the status webhooks scheduled for the message, in
	// delivery order.
	Statuses []string `json:"statuses"`
	// ErrorCode is the error code of a scheduled failed status, else zero.
	ErrorCode int `json:"error_code,omitempty"`
}

// InboundRecord is a message a simulated candidate sent.
type InboundRecord struct {
	// ID is the inbound wamid.
	ID string `json:"id"`
	// PhoneNumberID is the business phone number id that received it.
	PhoneNumberID string `json:"phone_number_id"`
	// From is the candidate's wa_id.
	From string `json:"from"`
	// ProfileName is the candidate's profile name.
	ProfileName string `json:"profile_name,omitempty"`
	// Type is the message type.
	Type string `json:"type"`
	// Text is the text body or media caption.
	Text string `json:"text,omitempty"`
	// MediaID is the id of a media message's file.
	MediaID string `json:"media_id,omitempty"`
	// At is the emulator clock when it was sent.
	At time.Time `json:"at"`
	// ReadAt is when the business marked it read; zero until then.
	ReadAt time.Time `json:"read_at,omitzero"`
}

// Delivery is one webhook body and its delivery attempts.
type Delivery struct {
	// Seq numbers deliveries in the order they were created.
	Seq int64 `json:"seq"`
	// Kind is "status" or "message".
	Kind string `json:"kind"`
	// MessageID is the wamid the webhook is about.
	MessageID string `json:"message_id"`
	// Status is the status reported, for Kind "status".
	Status string `json:"status,omitempty"`
	// Attempts are the delivery attempts so far.
	Attempts []Attempt `json:"attempts"`
	// Outcome is "pending", "delivered", "abandoned" (attempts exhausted or
	// emulator closed) or "skipped" (no webhook URL).
	Outcome string `json:"outcome"`
	// Body is the exact JSON body delivered.
	Body []byte `json:"-"`
}

// Attempt is one HTTP POST of a webhook.
type Attempt struct {
	// At is the emulator clock at the attempt.
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status, zero on transport errors.
	StatusCode int `json:"status_code"`
	// Error describes a transport error.
	Error string `json:"error,omitempty"`
}

// Delivery outcomes.
const (
	OutcomePending   = "pending"
	OutcomeDelivered = "delivered"
	OutcomeAbandoned = "abandoned"
	OutcomeSkipped   = "skipped"
)

// SentMessages returns the messages accepted so far, oldest first.
func (e *Emulator) SentMessages() []SentMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SentMessage, len(e.sent))
	for i, m := range e.sent {
		m.TemplateParams = slices.Clone(m.TemplateParams)
		m.Statuses = slices.Clone(m.Statuses)
		out[i] = m
	}
	return out
}

// InboundMessages returns the simulated inbound messages, oldest first.
func (e *Emulator) InboundMessages() []InboundRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.inbound)
}

// Deliveries returns copies of all webhook deliveries, oldest first.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Delivery, len(e.deliveries))
	for i, d := range e.deliveries {
		c := *d
		c.Attempts = slices.Clone(d.Attempts)
		c.Body = slices.Clone(d.Body)
		out[i] = c
	}
	return out
}
