package waemu

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
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
	// location, button (a tapped quick-reply button of a template) or
	// interactive (a tapped reply button of an interactive message).
	Type string `json:"type"`
	// Text is the body of a text message, the caption of an image, video or
	// document, the name of a location, or the title of a tapped button.
	Text string `json:"text"`
	// Filename is the file name of a document.
	Filename string `json:"filename"`
	// MimeType is the media MIME type; a plausible default per type when empty.
	MimeType string `json:"mime_type"`
	// ReplyTo is the wamid of the business message this one replies to.
	ReplyTo string `json:"reply_to"`
}

var defaultMimeTypes = map[string]string{
	"image":    "image/jpeg",
	"document": "application/pdf",
	"audio":    "audio/ogg; codecs=opus",
	"video":    "video/mp4",
	"sticker":  "image/webp",
}

// SimulateInbound makes a candidate send a message: it opens (or renews) the
// candidate's customer service window with that business number and queues a
// signed "messages" webhook with the contact's profile name.
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
	rec := InboundRecord{ID: newWAMID(), PhoneNumberID: phoneID, From: from, ProfileName: in.ProfileName, Type: in.Type, Text: in.Text, At: now}
	msg := hookMessage{From: from, ID: rec.ID, Timestamp: unixString(now), Type: in.Type}
	if in.ReplyTo != "" {
		msg.Context = &hookContext{From: e.displayNumber(phoneID), ID: in.ReplyTo}
	}
	switch in.Type {
	case "text":
		if in.Text == "" {
			return InboundRecord{}, errors.New("waemu: inbound text needs Text")
		}
		msg.Text = &hookText{Body: in.Text}
	case "image", "document", "audio", "video", "sticker":
		media := e.inboundMedia(in)
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
		msg.Location = &hookLocation{Latitude: 52.3676, Longitude: 4.9041, Name: in.Text}
	case "button", "interactive":
		if in.Text == "" {
			return InboundRecord{}, fmt.Errorf("waemu: inbound %s needs Text (the button title)", in.Type)
		}
		if in.Type == "button" {
			msg.Button = &hookButton{Payload: in.Text, Text: in.Text}
		} else {
			msg.Interactive = &hookInteractive{Type: "button_reply"}
			msg.Interactive.ButtonReply = &struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			}{ID: "reply-" + strconv.Itoa(len(in.Text)), Title: in.Text}
		}
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
	e.windows[windowKey{phoneID, from}] = now
	e.inbound = append(e.inbound, rec)
	return rec, nil
}

func (e *Emulator) inboundMedia(in Inbound) *hookMedia {
	mime := in.MimeType
	if mime == "" {
		mime = defaultMimeTypes[in.Type]
	}
	id := randomBytes(8)
	sum := sha256.Sum256(id)
	return &hookMedia{
		Caption:  in.Text,
		Filename: in.Filename,
		MimeType: mime,
		SHA256:   base64.StdEncoding.EncodeToString(sum[:]),
		ID:       strconv.FormatUint(binary.BigEndian.Uint64(id)%1_000_000_000_000_000, 10),
	}
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
