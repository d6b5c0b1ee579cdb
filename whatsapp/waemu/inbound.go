package waemu

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Inbound describes a message a simulated candidate sends to a business number.
type Inbound struct {
	// PhoneNumberID is the business phone number id that receives the
	// message; may be empty when exactly one number is configured.
	PhoneNumberID string `json:"phone_number_id"`
	// From is the candidate's number (7 to 15 digits, optional "+").
	From string `json:"from"`
	// ProfileName is the candidate's WhatsApp profile name.
	ProfileName string `json:"profile_name"`
	// Type is text (default), image, document, audio, video, sticker,
	// location, contacts, button (a tapped quick-reply button of a
	// template), interactive (a tapped reply button or list row of an
	// interactive message), reaction or unsupported.
	Type string `json:"type"`
	// Text is the body of a text message, the caption of an image, video or
	// document, the name of a location, or the title of a tapped button or
	// list row.
	Text string `json:"text"`
	// Filename is the file name of a document.
	Filename string `json:"filename"`
	// MimeType is the media MIME type; a plausible default per type when empty.
	MimeType string `json:"mime_type"`
	// Content is the media file (base64 in JSON); a small sample file of
	// the type when empty. The business downloads it through the media
	// endpoints.
	Content []byte `json:"content,omitempty"`
	// ReplyTo is the wamid of the business message this one replies to.
	ReplyTo string `json:"reply_to"`
	// ReactTo is the wamid of the message a reaction is on; Emoji is the
	// reaction, empty to remove the candidate's reaction.
	ReactTo string `json:"react_to,omitempty"`
	Emoji   string `json:"emoji,omitempty"`
	// Interactive is "button_reply" (default) or "list_reply" for an
	// interactive message; ReplyID is the button's or row's id and
	// Description a list row's description.
	Interactive string `json:"interactive,omitempty"`
	ReplyID     string `json:"reply_id,omitempty"`
	Description string `json:"description,omitempty"`
	// Latitude, Longitude, Address and URL describe a location (Amsterdam
	// when both coordinates are zero).
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
	// Contacts are the cards of a contacts message.
	Contacts []InboundContact `json:"contacts,omitempty"`
	// At is when the candidate sent it; now when zero. A past time lets a
	// script build a history: the service window follows the newest
	// message.
	At time.Time `json:"at,omitzero"`
}

// InboundContact is a contact card a candidate shares.
type InboundContact struct {
	Name    string   `json:"name"`
	Company string   `json:"company,omitempty"`
	Phones  []string `json:"phones"`
	Emails  []string `json:"emails,omitempty"`
}

var defaultMimeTypes = map[string]string{
	"image":    "image/jpeg",
	"document": "application/pdf",
	"audio":    "audio/ogg; codecs=opus",
	"video":    "video/mp4",
	"sticker":  "image/webp",
}

// SimulateInbound makes a candidate send a message: it opens (or renews) the
// candidate's customer service window with that business number (a
// reaction does not) and queues a signed "messages" webhook with the
// contact's profile name. Media content is kept for the media endpoints.
func (e *Emulator) SimulateInbound(in Inbound) (InboundRecord, error) {
	phoneID, err := e.inboundPhoneID(in.PhoneNumberID)
	if err != nil {
		return InboundRecord{}, err
	}
	from, ok := normalizeNumber(in.From)
	if !ok {
		return InboundRecord{}, fmt.Errorf("waemu: inbound sender %q is not a phone number", in.From)
	}
	if in.Type == "" {
		in.Type = "text"
	}
	now := e.now()
	at := in.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	rec := InboundRecord{ID: newWAMID(), PhoneNumberID: phoneID, From: from, ProfileName: in.ProfileName, Type: in.Type, Text: in.Text, At: at}
	msg := hookMessage{From: from, ID: rec.ID, Timestamp: unixString(at), Type: in.Type}
	if in.ReplyTo != "" {
		msg.Context = &hookContext{From: e.displayNumber(phoneID), ID: in.ReplyTo}
	}
	var file *mediaFile
	switch in.Type {
	case "text":
		if in.Text == "" {
			return InboundRecord{}, errors.New("waemu: inbound text needs Text")
		}
		msg.Text = &hookText{Body: in.Text}
	case "image", "document", "audio", "video", "sticker":
		var media *hookMedia
		media, file = e.inboundMedia(in, phoneID)
		rec.MediaID = media.ID
		switch in.Type {
		case "image":
			msg.Image = media
		case "document":
			msg.Document = media
		case "audio":
			media.Caption, media.Voice = "", true
			msg.Audio = media
		case "video":
			msg.Video = media
		case "sticker":
			media.Caption = ""
			msg.Sticker = media
		}
	case "location":
		loc := &hookLocation{Latitude: in.Latitude, Longitude: in.Longitude, Name: in.Text, Address: in.Address, URL: in.URL}
		if loc.Latitude == 0 && loc.Longitude == 0 {
			loc.Latitude, loc.Longitude = 52.3676, 4.9041
		}
		msg.Location = loc
	case "contacts":
		if len(in.Contacts) == 0 {
			return InboundRecord{}, errors.New("waemu: inbound contacts needs Contacts")
		}
		for _, c := range in.Contacts {
			msg.Contacts = append(msg.Contacts, hookSharedContact(c))
		}
	case "button", "interactive":
		if in.Text == "" {
			return InboundRecord{}, fmt.Errorf("waemu: inbound %s needs Text (the button title)", in.Type)
		}
		switch {
		case in.Type == "button":
			msg.Button = &hookButton{Payload: in.Text, Text: in.Text}
		case in.Interactive == "list_reply":
			id := in.ReplyID
			if id == "" {
				id = "row-" + strconv.Itoa(len(in.Text))
			}
			msg.Interactive = &hookInteractive{Type: "list_reply",
				ListReply: &hookListReply{ID: id, Title: in.Text, Description: in.Description}}
		case in.Interactive == "" || in.Interactive == "button_reply":
			id := in.ReplyID
			if id == "" {
				id = "reply-" + strconv.Itoa(len(in.Text))
			}
			msg.Interactive = &hookInteractive{Type: "button_reply", ButtonReply: &hookButtonReply{ID: id, Title: in.Text}}
		default:
			return InboundRecord{}, fmt.Errorf("waemu: interactive %q is not supported; use button_reply or list_reply", in.Interactive)
		}
	case "reaction":
		if in.ReactTo == "" {
			return InboundRecord{}, errors.New("waemu: inbound reaction needs ReactTo (a wamid)")
		}
		msg.Reaction = &hookReaction{MessageID: in.ReactTo, Emoji: in.Emoji}
	case "unsupported":
		msg.Errors = []hookError{newHookError(codeUnsupportedType, "Message type is currently not supported.")}
	default:
		return InboundRecord{}, fmt.Errorf("waemu: inbound type %q is not supported", in.Type)
	}
	contact := hookContact{WaID: from}
	contact.Profile.Name = in.ProfileName
	body, err := e.envelope(phoneID, hookValue{Contacts: []hookContact{contact}, Messages: []hookMessage{msg}})
	if err != nil {
		return InboundRecord{}, fmt.Errorf("waemu: encoding inbound webhook: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.enqueueLocked([]step{{kind: "message", messageID: rec.ID, body: body}}); err != nil {
		return InboundRecord{}, fmt.Errorf("waemu: queueing inbound webhook: %w", err)
	}
	if in.Type != "reaction" {
		k := windowKey{phoneID, from}
		if last, ok := e.windows[k]; !ok || at.After(last) {
			e.windows[k] = at
		}
	}
	if file != nil {
		e.media[file.id] = file
	}
	e.inbound = append(e.inbound, rec)
	return rec, nil
}

// hookSharedContact converts a contact card to its webhook form.
func hookSharedContact(c InboundContact) hookContactCard {
	var card hookContactCard
	card.Name.FormattedName = c.Name
	if first, last, ok := strings.Cut(c.Name, " "); ok {
		card.Name.FirstName, card.Name.LastName = first, last
	} else {
		card.Name.FirstName = c.Name
	}
	card.Org.Company = c.Company
	for i, p := range c.Phones {
		ph := hookContactPhone{Phone: p, Type: "CELL"}
		if i > 0 {
			ph.Type = "WORK"
		}
		if d, ok := normalizeNumber(p); ok {
			ph.WaID = d
		}
		card.Phones = append(card.Phones, ph)
	}
	for _, m := range c.Emails {
		card.Emails = append(card.Emails, hookContactEmail{Email: m, Type: "WORK"})
	}
	return card
}

// inboundMedia keeps the file of an inbound media message and returns its
// webhook object.
func (e *Emulator) inboundMedia(in Inbound, phoneID string) (*hookMedia, *mediaFile) {
	mime := in.MimeType
	if mime == "" {
		mime = defaultMimeTypes[in.Type]
	}
	data := in.Content
	if len(data) == 0 {
		data = sampleFile(in.Type, mime)
	}
	sum := sha256.Sum256(data)
	id := newMediaID()
	f := &mediaFile{id: id, phoneID: phoneID, mimeType: mime, filename: in.Filename, data: data}
	return &hookMedia{
		Caption:  in.Text,
		Filename: in.Filename,
		MimeType: mime,
		SHA256:   base64.StdEncoding.EncodeToString(sum[:]),
		ID:       id,
	}, f
}

// newMediaID returns a media id shaped like Meta's: 15 to 16 digits.
func newMediaID() string {
	return strconv.FormatUint(100_000_000_000_000+binary.BigEndian.Uint64(randomBytes(8))%900_000_000_000_000, 10)
}

func (e *Emulator) inboundPhoneID(id string) (string, error) {
	if id != "" {
		if _, ok := e.opts.AccessTokens[id]; !ok {
			return "", fmt.Errorf("waemu: phone number id %q is not configured", id)
		}
		return id, nil
	}
	if len(e.opts.AccessTokens) != 1 {
		ids := make([]string, 0, len(e.opts.AccessTokens))
		for k := range e.opts.AccessTokens {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		return "", fmt.Errorf("waemu: inbound needs a phone number id, one of %v", ids)
	}
	for k := range e.opts.AccessTokens {
		return k, nil
	}
	return "", errors.New("waemu: no phone number configured")
}
