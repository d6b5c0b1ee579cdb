package messaging

import (
	"context"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// knownKinds are the inbound message types stored with a kind of their own.
var knownKinds = map[string]recrubo.MessageKind{
	"text": recrubo.KindText, "image": recrubo.KindImage, "document": recrubo.KindDocument,
	"audio": recrubo.KindAudio, "video": recrubo.KindVideo, "sticker": recrubo.KindSticker,
	"location": recrubo.KindLocation, "contacts": recrubo.KindContacts, "button": recrubo.KindButton,
	"interactive": recrubo.KindInteractive, "unsupported": recrubo.KindUnsupported,
}

// inboundMessage converts a candidate's message (any type but a reaction)
// to what is stored: its kind, its text, and its content kept whole. A type
// the service does not know is kept as unsupported, with its type named.
func inboundMessage(tenantID, conversationID string, in whatsapp.InboundMessage) *recrubo.Message {
	kind, ok := knownKinds[in.Type]
	if !ok {
		kind = recrubo.KindUnsupported
	}
	m := &recrubo.Message{TenantID: tenantID, ConversationID: conversationID, Direction: recrubo.Inbound, Kind: kind,
		ProviderID: in.ID, Status: recrubo.StatusReceived, ReplyTo: in.Context, Body: in.Text}
	if md := in.Media; md != nil {
		m.MediaType, m.MediaRef = in.Type, md.ID
		m.Body = md.Caption
		m.Content.Media = &recrubo.MediaAttachment{ProviderID: md.ID, MimeType: md.MimeType, Filename: md.Filename,
			Caption: md.Caption, SHA256: md.SHA256, Voice: md.Voice, Animated: md.Animated}
	}
	if l := in.Location; l != nil {
		m.Content.Location = &recrubo.GeoLocation{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name,
			Address: l.Address, URL: l.URL}
	}
	for _, c := range in.Contacts {
		card := recrubo.ContactCard{Name: c.Name(), Organization: c.Organization, Emails: c.Emails, URLs: c.URLs}
		for _, p := range c.Phones {
			card.Phones = append(card.Phones, recrubo.ContactPhone{Phone: p.Phone, WaID: p.WaID, Type: p.Type})
		}
		m.Content.Contacts = append(m.Content.Contacts, card)
	}
	if r := in.Reply; r != nil {
		m.Content.Reply = &recrubo.ReplyChoice{Kind: r.Kind, ID: r.ID, Title: r.Title, Description: r.Description,
			Payload: r.Payload}
	}
	for _, e := range in.Errors {
		text := e.Details
		if text == "" {
			text = e.Message
		}
		m.Content.Errors = append(m.Content.Errors, recrubo.ProviderError{Code: e.Code, Title: e.Title, Details: text})
	}
	if !ok {
		m.Content.Errors = append(m.Content.Errors, recrubo.ProviderError{Code: whatsapp.CodeUnsupportedMessageType,
			Title: "Message type " + in.Type})
	}
	if m.Body == "" && kind != recrubo.KindText {
		m.Body = contentSummary(m)
	}
	return m
}

// contentSummary is a one-line text of a message without text of its own, for
// previews and the candidate's activity in Carerix.
func contentSummary(m *recrubo.Message) string {
	c := m.Content
	switch {
	case c.Media != nil && c.Media.Filename != "":
		return c.Media.Filename
	case c.Location != nil:
		return strings.TrimSpace(c.Location.Name + " " + c.Location.Address)
	case len(c.Contacts) > 0:
		names := make([]string, 0, len(c.Contacts))
		for _, card := range c.Contacts {
			names = append(names, card.Name)
		}
		return strings.Join(names, ", ")
	case c.Reply != nil:
		return c.Reply.Title
	}
	return ""
}

// previewOf is the conversation list's preview of a message: its text,
// or its kind in brackets with what it has ("[image]", "[document]
// cv.pdf").
func previewOf(m *recrubo.Message) string {
	kind := recrubo.KindOf(m)
	if kind == recrubo.KindText || kind == recrubo.KindTemplate {
		return preview(m.Body)
	}
	return preview(strings.TrimSpace("[" + string(kind) + "] " + m.Body))
}

// receiveReaction stores a candidate's reaction on the message it names,
// or removes it when the emoji is empty. It is no message of its own and
// does not open the service window.
func (s *Service) receiveReaction(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, in whatsapp.InboundMessage) (string, error) {
	phone := senderPhone(in.From)
	r := &recrubo.Reaction{TenantID: tenant.ID, MessageProviderID: in.Reaction.MessageID, Reactor: phone,
		Emoji: in.Reaction.Emoji, At: in.Timestamp}
	if target, err := tx.MessageByProviderID(ctx, tenant.ID, r.MessageProviderID); err == nil {
		r.ConversationID = target.ConversationID
	} else if conv, err := tx.ConversationByPhone(ctx, tenant.ID, recrubo.ChannelWhatsApp, phone); err == nil {
		r.ConversationID = conv.ID
	}
	if r.MessageProviderID == "" {
		return "ignored: reaction without a message", nil
	}
	changed, err := tx.SetReaction(ctx, r)
	switch {
	case err != nil:
		return "", err
	case !changed:
		return "reaction older than the stored one", nil
	case r.Emoji == "":
		return "reaction removed", nil
	}
	return "reaction " + r.Emoji, nil
}

// keepMedia records an inbound message's file as pending and enqueues the
// job that downloads it, in tx.
func (s *Service) keepMedia(ctx context.Context, tx recrubo.Tx, m *recrubo.Message) error {
	a := m.Content.Media
	if a == nil || a.ProviderID == "" {
		return nil
	}
	f := &recrubo.MediaFile{TenantID: m.TenantID, MessageID: m.ID, ProviderID: a.ProviderID, MimeType: a.MimeType,
		Filename: a.Filename, State: recrubo.MediaPending}
	if err := tx.SaveMedia(ctx, f); err != nil {
		return err
	}
	return tx.Enqueue(ctx, MediaJob{TenantID: m.TenantID, MessageID: m.ID}, nil)
}
