package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Bounds that ParseWebhook enforces. Meta does not publish limits; these are
// far above what one notification carries and keep a hostile or broken
// payload from costing unbounded work.
const (
	// MaxWebhookBodyBytes is the largest body ParseWebhook accepts.
	MaxWebhookBodyBytes = 4 << 20
	// MaxWebhookItems bounds entries + changes + messages + statuses +
	// errors in one payload.
	MaxWebhookItems = 10_000
	// maxIDLen bounds ids (wamid, wa_id, phone number id).
	maxIDLen = 512
)

// ObjectWhatsAppBusinessAccount is the only webhook "object" ParseWebhook accepts.
const ObjectWhatsAppBusinessAccount = "whatsapp_business_account"

var (
	// ErrInvalidWebhook is wrapped by every ParseWebhook failure.
	ErrInvalidWebhook = errors.New("whatsapp: invalid webhook payload")
	// ErrUnknownObject is wrapped when the payload's object is not
	// whatsapp_business_account (also wraps ErrInvalidWebhook).
	ErrUnknownObject = fmt.Errorf("%w: unknown object", ErrInvalidWebhook)
)

// ParseWebhook validates a webhook POST body and converts it. Verify the
// signature over the same bytes first with [VerifySignature].
//
// It refuses bodies over MaxWebhookBodyBytes, objects other than
// whatsapp_business_account, entries or changes without ids or fields,
// "messages" changes without metadata.phone_number_id, messages without id,
// from, type or timestamp, statuses without id, status or timestamp,
// template status changes without a template name, and payloads with more
// than MaxWebhookItems items. Unknown JSON fields are ignored; change
// fields other than "messages" and "message_template_status_update" are
// listed in Notification.OtherFields and not parsed.
func ParseWebhook(body []byte) (Notification, error) {
	var n Notification
	if len(body) > MaxWebhookBodyBytes {
		return n, fmt.Errorf("%w: body is %d bytes, limit %d", ErrInvalidWebhook, len(body), MaxWebhookBodyBytes)
	}
	var w wireWebhook
	if err := json.Unmarshal(body, &w); err != nil {
		return n, fmt.Errorf("%w: %v", ErrInvalidWebhook, err)
	}
	if w.Object != ObjectWhatsAppBusinessAccount {
		return n, fmt.Errorf("%w %q", ErrUnknownObject, excerpt([]byte(w.Object), 64))
	}
	if len(w.Entry) == 0 {
		return n, fmt.Errorf("%w: no entries", ErrInvalidWebhook)
	}
	p := parser{items: len(w.Entry)}
	for i, e := range w.Entry {
		if err := p.entry(&n, e); err != nil {
			return Notification{}, fmt.Errorf("%w: entry[%d]%s", ErrInvalidWebhook, i, err)
		}
	}
	return n, nil
}

// parser carries the item budget across one payload.
type parser struct {
	items int
}

func (p *parser) spend(k int) error {
	p.items += k
	if p.items > MaxWebhookItems {
		return fmt.Errorf(": more than %d items", MaxWebhookItems)
	}
	return nil
}

func (p *parser) entry(n *Notification, e wireEntry) error {
	if err := checkID(".id", e.ID); err != nil {
		return err
	}
	if len(e.Changes) == 0 {
		return errors.New(": no changes")
	}
	if err := p.spend(len(e.Changes)); err != nil {
		return err
	}
	for j, c := range e.Changes {
		if c.Field == "" {
			return fmt.Errorf(".changes[%d]: missing field", j)
		}
		var err error
		switch c.Field {
		case "messages":
			err = p.messagesChange(n, e, c.Value)
		case "message_template_status_update":
			err = templateChange(n, e, c.Value)
		default:
			addOnce(&n.OtherFields, excerpt([]byte(c.Field), 64))
		}
		if err != nil {
			return fmt.Errorf(".changes[%d].value%s", j, err)
		}
	}
	return nil
}

// entryTime is an entry's time, zero when absent.
func entryTime(e wireEntry) time.Time {
	if e.Time == 0 {
		return time.Time{}
	}
	return e.Time.Time()
}

// templateChange parses a message_template_status_update value.
func templateChange(n *Notification, e wireEntry, raw json.RawMessage) error {
	if len(raw) == 0 || raw[0] != '{' {
		return errors.New(": not an object")
	}
	var v wireTemplateUpdate
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf(": %v", err)
	}
	if err := checkID(".message_template_name", v.Name); err != nil {
		return err
	}
	if v.Event == "" {
		return errors.New(".event: missing")
	}
	n.TemplateUpdates = append(n.TemplateUpdates, TemplateStatusUpdate{
		BusinessAccountID: e.ID, TemplateID: excerpt([]byte(v.ID), maxIDLen), Name: v.Name,
		Language: excerpt([]byte(v.Language), 32), Event: strings.ToUpper(excerpt([]byte(v.Event), 64)),
		Reason: excerpt([]byte(v.Reason), 1000), Category: strings.ToUpper(excerpt([]byte(v.Category), 64)),
		Time: entryTime(e),
	})
	return nil
}

func (p *parser) messagesChange(n *Notification, e wireEntry, raw json.RawMessage) error {
	wabaID := e.ID
	if len(raw) == 0 || raw[0] != '{' {
		return errors.New(": not an object")
	}
	var v wireValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf(": %v", err)
	}
	if v.MessagingProduct != "" && v.MessagingProduct != "whatsapp" {
		return fmt.Errorf(": messaging_product is %q", excerpt([]byte(v.MessagingProduct), 32))
	}
	if err := checkID(".metadata.phone_number_id", v.Metadata.PhoneNumberID); err != nil {
		return err
	}
	if err := p.spend(len(v.Messages) + len(v.Statuses) + len(v.Errors)); err != nil {
		return err
	}
	for k, m := range v.Messages {
		msg, err := convertMessage(m, v.Contacts)
		if err != nil {
			return fmt.Errorf(".messages[%d]%s", k, err)
		}
		msg.PhoneNumberID = v.Metadata.PhoneNumberID
		msg.DisplayPhoneNumber = v.Metadata.DisplayPhoneNumber
		msg.BusinessAccountID = wabaID
		n.Messages = append(n.Messages, msg)
	}
	for k, s := range v.Statuses {
		st, err := convertStatus(s)
		if err != nil {
			return fmt.Errorf(".statuses[%d]%s", k, err)
		}
		st.PhoneNumberID = v.Metadata.PhoneNumberID
		st.BusinessAccountID = wabaID
		n.Statuses = append(n.Statuses, st)
	}
	for _, se := range convertErrors(v.Errors) {
		n.Errors = append(n.Errors, ValueError{StatusError: se, PhoneNumberID: v.Metadata.PhoneNumberID,
			BusinessAccountID: wabaID, Time: entryTime(e)})
	}
	return nil
}

func convertMessage(m wireMessage, contacts []wireContact) (InboundMessage, error) {
	if err := checkID(".id", m.ID); err != nil {
		return InboundMessage{}, err
	}
	if err := checkID(".from", m.From); err != nil {
		return InboundMessage{}, err
	}
	if m.Type == "" {
		return InboundMessage{}, errors.New(".type: missing")
	}
	if m.Timestamp == 0 {
		return InboundMessage{}, errors.New(".timestamp: missing")
	}
	msg := InboundMessage{
		ID:        m.ID,
		From:      m.From,
		Timestamp: m.Timestamp.Time(),
		Type:      excerpt([]byte(m.Type), 64),
		Errors:    convertErrors(m.Errors),
	}
	for _, c := range contacts {
		if c.WaID == m.From {
			msg.ProfileName = c.Profile.Name
			break
		}
	}
	if m.Context != nil {
		msg.Context = m.Context.ID
	}
	fillContent(&msg, m)
	return msg, nil
}

// fillContent sets Text, Media, Location, Contacts, Reply and Reaction
// from whichever typed object is present, so that every type keeps a
// readable placeholder.
func fillContent(msg *InboundMessage, m wireMessage) {
	if m.Text != nil {
		msg.Text = m.Text.Body
	}
	for _, media := range []*wireMedia{m.Image, m.Document, m.Audio, m.Video, m.Sticker} {
		if media != nil {
			msg.Media = &Media{ID: media.ID, MimeType: media.MimeType, SHA256: media.SHA256, Caption: media.Caption,
				Filename: media.Filename, Voice: media.Voice, Animated: media.Animated}
			break
		}
	}
	if l := m.Location; l != nil {
		msg.Location = &Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address, URL: l.URL}
		if msg.Text == "" {
			msg.Text = strings.TrimSpace(l.Name + " " + l.Address)
		}
	}
	for _, c := range m.Contacts {
		msg.Contacts = append(msg.Contacts, convertContact(c))
	}
	if len(msg.Contacts) > 0 && msg.Text == "" {
		msg.Text = msg.Contacts[0].Name()
	}
	if b := m.Button; b != nil {
		msg.Reply = &Reply{Kind: "button", Title: b.Text, Payload: b.Payload}
	}
	if in := m.Interactive; in != nil {
		switch {
		case in.ButtonReply != nil:
			msg.Reply = &Reply{Kind: "button_reply", ID: in.ButtonReply.ID, Title: in.ButtonReply.Title}
		case in.ListReply != nil:
			msg.Reply = &Reply{Kind: "list_reply", ID: in.ListReply.ID, Title: in.ListReply.Title,
				Description: in.ListReply.Description}
		}
	}
	if msg.Reply != nil && msg.Text == "" {
		msg.Text = msg.Reply.Title
	}
	if r := m.Reaction; r != nil {
		msg.Reaction = &Reaction{MessageID: r.MessageID, Emoji: r.Emoji}
		if msg.Text == "" {
			msg.Text = r.Emoji
		}
	}
}

// convertContact converts one shared contact card.
func convertContact(c wireSharedContact) Contact {
	out := Contact{FormattedName: strings.TrimSpace(c.Name.FormattedName), FirstName: strings.TrimSpace(c.Name.FirstName),
		LastName: strings.TrimSpace(c.Name.LastName)}
	var org []string
	for _, s := range []string{c.Org.Company, c.Org.Department, c.Org.Title} {
		if s = strings.TrimSpace(s); s != "" {
			org = append(org, s)
		}
	}
	out.Organization = strings.Join(org, ", ")
	for _, p := range c.Phones {
		out.Phones = append(out.Phones, ContactPhone{Phone: strings.TrimSpace(p.Phone), WaID: p.WaID, Type: p.Type})
	}
	for _, e := range c.Emails {
		if e.Email != "" {
			out.Emails = append(out.Emails, e.Email)
		}
	}
	for _, u := range c.URLs {
		if u.URL != "" {
			out.URLs = append(out.URLs, u.URL)
		}
	}
	return out
}

func convertStatus(s wireStatus) (StatusUpdate, error) {
	if err := checkID(".id", s.ID); err != nil {
		return StatusUpdate{}, err
	}
	if s.Status == "" {
		return StatusUpdate{}, errors.New(".status: missing")
	}
	if s.Timestamp == 0 {
		return StatusUpdate{}, errors.New(".timestamp: missing")
	}
	st := StatusUpdate{
		MessageID:             s.ID,
		Status:                Status(excerpt([]byte(s.Status), 32)),
		Timestamp:             s.Timestamp.Time(),
		RecipientID:           s.RecipientID,
		Errors:                convertErrors(s.Errors),
		BizOpaqueCallbackData: s.BizOpaqueCallbackData,
	}
	if c := s.Conversation; c != nil {
		st.ConversationID, st.ConversationOrigin = c.ID, c.Origin.Type
	}
	if pr := s.Pricing; pr != nil {
		st.Category, st.PricingModel, st.Billable = pr.Category, pr.PricingModel, pr.Billable
	}
	return st, nil
}

func checkID(name, id string) error {
	if id == "" {
		return fmt.Errorf("%s: missing", name)
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("%s: longer than %d bytes", name, maxIDLen)
	}
	return nil
}

func addOnce(list *[]string, s string) {
	for _, x := range *list {
		if x == s {
			return
		}
	}
	*list = append(*list, s)
}
