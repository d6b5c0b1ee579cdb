package recrubo

import (
	"strings"
	"time"
)

// MessageKind says what a message holds. Messages stored before kinds
// were kept have none; KindOf tells theirs.
type MessageKind string

// The message kinds: what a candidate can send, and what a recruiter sends.
const (
	KindText        MessageKind = "text"
	KindTemplate    MessageKind = "template"
	KindImage       MessageKind = "image"
	KindDocument    MessageKind = "document"
	KindAudio       MessageKind = "audio"
	KindVideo       MessageKind = "video"
	KindSticker     MessageKind = "sticker"
	KindLocation    MessageKind = "location"
	KindContacts    MessageKind = "contacts"
	KindButton      MessageKind = "button"      // a tapped quick-reply button of a template
	KindInteractive MessageKind = "interactive" // a tapped reply button or list row
	KindUnsupported MessageKind = "unsupported" // a type WhatsApp could not pass on
)

// IsMedia reports whether messages of the kind carry a file.
func (k MessageKind) IsMedia() bool {
	switch k {
	case KindImage, KindDocument, KindAudio, KindVideo, KindSticker:
		return true
	}
	return false
}

// KindOf returns m's kind: Kind when set, else what its fields show.
func KindOf(m *Message) MessageKind {
	switch {
	case m.Kind != "":
		return m.Kind
	case m.TemplateName != "":
		return KindTemplate
	case m.MediaType != "":
		return MessageKind(m.MediaType)
	}
	return KindText
}

// MessageContent is the structured content of a message beyond its text:
// at most one of the fields is set, matching the message's kind.
type MessageContent struct {
	// Media describes the file of an image, document, audio, video or
	// sticker message; the file itself is a MediaFile.
	Media *MediaAttachment `json:"media,omitempty"`
	// Location is a shared location.
	Location *GeoLocation `json:"location,omitempty"`
	// Contacts are shared contact cards, each with its name and numbers.
	Contacts []ContactCard `json:"contacts,omitempty"`
	// Reply is a tapped button or list row, with a row's description.
	Reply *ReplyChoice `json:"reply,omitempty"`
	// Errors say why WhatsApp could not pass a message on (unsupported).
	Errors []ProviderError `json:"errors,omitempty"`
}

// IsZero reports whether c holds nothing.
func (c MessageContent) IsZero() bool {
	return c.Media == nil && c.Location == nil && len(c.Contacts) == 0 && c.Reply == nil && len(c.Errors) == 0
}

// MediaAttachment describes a message's file as the provider announced it.
type MediaAttachment struct {
	// ProviderID is the provider's media id.
	ProviderID string `json:"provider_id"`
	MimeType   string `json:"mime_type,omitempty"`
	// Filename is a document's file name as the sender gave it.
	Filename string `json:"filename,omitempty"`
	Caption  string `json:"caption,omitempty"`
	// SHA256 is the hash the provider announced.
	SHA256 string `json:"sha256,omitempty"`
	// Voice is set for a voice note; Animated for an animated sticker.
	Voice    bool `json:"voice,omitempty"`
	Animated bool `json:"animated,omitempty"`
}

// GeoLocation is a shared location.
type GeoLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// ContactCard is a shared contact.
type ContactCard struct {
	Name         string         `json:"name"`
	Organization string         `json:"organization,omitempty"`
	Phones       []ContactPhone `json:"phones,omitempty"`
	Emails       []string       `json:"emails,omitempty"`
	URLs         []string       `json:"urls,omitempty"`
}

// ContactPhone is one number of a contact card.
type ContactPhone struct {
	Phone string `json:"phone"`
	// WaID is the number's WhatsApp id, when it has one.
	WaID string `json:"wa_id,omitempty"`
	// Type is what the card calls it: CELL, WORK, HOME, ...
	Type string `json:"type,omitempty"`
}

// ReplyChoice is a tapped button or list row.
type ReplyChoice struct {
	// Kind is "button" (a template's quick reply), "button_reply" or
	// "list_reply".
	Kind        string `json:"kind"`
	ID          string `json:"id,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Payload     string `json:"payload,omitempty"`
}

// ProviderError is an error the provider reported.
type ProviderError struct {
	Code    int    `json:"code"`
	Title   string `json:"title,omitempty"`
	Details string `json:"details,omitempty"`
}

// Reaction is an emoji someone put on a message. It belongs to the message
// it reacts to, found by the provider's id of that message; one sender has
// at most one reaction on a message, and a newer one replaces it.
type Reaction struct {
	TenantID string
	// ConversationID is the conversation of the sender; empty when none
	// is known.
	ConversationID string
	// MessageProviderID is the provider's id of the message reacted to.
	MessageProviderID string
	// Reactor is who reacted: the candidate's E.164 number.
	Reactor string
	// Emoji is the reaction; empty when it was removed.
	Emoji string
	// At is when it was given or removed; a reaction only replaces an
	// older one.
	At time.Time
}

// ReactionSummary is how a message's reactions show: each emoji once,
// in the order given.
func ReactionSummary(rs []*Reaction) string {
	var out []string
	for _, r := range rs {
		if r.Emoji != "" && !contains(out, r.Emoji) {
			out = append(out, r.Emoji)
		}
	}
	return strings.Join(out, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
