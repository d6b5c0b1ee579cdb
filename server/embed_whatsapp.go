package server

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// EmbedWhatsAppData is what the inbox reads beyond the messages: their
// files and reactions.
type EmbedWhatsAppData interface {
	MediaFile(ctx context.Context, tenantID, messageID string, withData bool) (*recrubo.MediaFile, error)
	ConversationMedia(ctx context.Context, tenantID, conversationID string) ([]*recrubo.MediaFile, error)
	ConversationReactions(ctx context.Context, tenantID, conversationID string) ([]*recrubo.Reaction, error)
	VacancyBroadcasts(ctx context.Context, tenantID, vacancyID string, limit int) ([]*recrubo.Broadcast, error)
}

// threadExtras are a thread's files and reactions, and whose inbox it is
// (for the files' URLs).
type threadExtras struct {
	candidateID string
	media       map[string]*recrubo.MediaFile  // by message id
	reactions   map[string][]*recrubo.Reaction // by the provider id of the message reacted to
	byProvider  map[string]*recrubo.Message    // the thread's messages by provider id
}

// loadThreadExtras reads the files and reactions of conv (nil before the
// first message).
func (s *Server) loadThreadExtras(ctx context.Context, t *recrubo.Tenant, candidateID string, conv *recrubo.Conversation, msgs []*recrubo.Message) (*threadExtras, error) {
	x := &threadExtras{candidateID: candidateID, media: map[string]*recrubo.MediaFile{},
		reactions: map[string][]*recrubo.Reaction{}, byProvider: map[string]*recrubo.Message{}}
	if conv == nil {
		return x, nil
	}
	files := false
	for _, m := range msgs {
		if m.ProviderID != "" {
			x.byProvider[m.ProviderID] = m
		}
		files = files || recrubo.KindOf(m).IsMedia()
	}
	d := s.deps.Embeds.Data
	if files {
		fs, err := d.ConversationMedia(ctx, t.ID, conv.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			x.media[f.MessageID] = f
		}
	}
	rs, err := d.ConversationReactions(ctx, t.ID, conv.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		x.reactions[r.MessageProviderID] = append(x.reactions[r.MessageProviderID], r)
	}
	return x, nil
}

// tag is what the thread's ETag must change with: the files' states and
// the reactions.
func (x *threadExtras) tag() string {
	if x == nil {
		return ""
	}
	parts := make([]string, 0, len(x.media)+len(x.reactions))
	for id, f := range x.media {
		parts = append(parts, id+":"+string(f.State))
	}
	for k, rs := range x.reactions {
		parts = append(parts, k+"="+recrubo.ReactionSummary(rs))
	}
	slices.Sort(parts) // map order is random
	return strings.Join(parts, "|")
}

// mediaURL is the inbox API's URL of a message's file.
func (p *embedPage) mediaURL(candidateID, messageID string) string {
	return apiBase(p.tenant) + "/candidate/" + url.PathEscape(candidateID) + "/media/" + url.PathEscape(messageID)
}

// kindIcons are shown before a file's name.
var kindIcons = map[recrubo.MessageKind]string{
	recrubo.KindImage: "🖼", recrubo.KindSticker: "🖼", recrubo.KindDocument: "📄", recrubo.KindAudio: "🎤", recrubo.KindVideo: "🎬",
}

// kindContent renders a message of any kind but text and template: its
// file (an image inline, other files as a download for this inbox's
// viewers only), location, contact cards, tapped reply or what WhatsApp
// could not pass on; then its caption.
func (p *embedPage) kindContent(m *recrubo.Message) templates.HTML {
	kind := recrubo.KindOf(m)
	var parts []templates.HTML
	c := m.Content
	switch {
	case kind.IsMedia():
		parts = append(parts, p.mediaContent(m, kind))
		if c.Media != nil && c.Media.Caption != "" {
			parts = append(parts, p.partial("embed_text", templates.Values{"text": c.Media.Caption}))
		}
	case kind == recrubo.KindLocation && c.Location != nil:
		parts = append(parts, p.location(c.Location))
	case kind == recrubo.KindContacts && len(c.Contacts) > 0:
		for _, card := range c.Contacts {
			parts = append(parts, p.contact(card))
		}
	case (kind == recrubo.KindButton || kind == recrubo.KindInteractive) && c.Reply != nil:
		desc := templates.HTML{}
		if c.Reply.Description != "" {
			desc = p.partial("wa_note", templates.Values{"text": c.Reply.Description})
		}
		parts = append(parts, p.partial("wa_reply", templates.Values{"label": p.t("whatsapp.reply_" + c.Reply.Kind),
			"title": c.Reply.Title, "description": desc}))
	case kind == recrubo.KindUnsupported:
		code := strconv.Itoa(131051)
		if len(c.Errors) > 0 && c.Errors[0].Code != 0 {
			code = strconv.Itoa(c.Errors[0].Code)
		}
		parts = append(parts, p.partial("wa_unsupported", templates.Values{"text": p.t("whatsapp.unsupported", code)}))
	default:
		parts = append(parts, p.partial("embed_text", templates.Values{"text": m.Body}))
	}
	return templates.Join(parts)
}

// mediaContent renders a message's file by its state.
func (p *embedPage) mediaContent(m *recrubo.Message, kind recrubo.MessageKind) templates.HTML {
	x := p.extras
	name := p.t("whatsapp.kind_" + string(kind))
	if a := m.Content.Media; a != nil && a.Filename != "" {
		name = a.Filename
	}
	var f *recrubo.MediaFile
	if x != nil {
		f = x.media[m.ID]
	}
	icon := kindIcons[kind]
	switch {
	case f == nil:
		// Received before files were kept.
		return p.partial("wa_media_state", templates.Values{"state": "failed", "icon": icon, "filename": name, "text": p.t("whatsapp.media_not_kept")})
	case f.State == recrubo.MediaPending:
		return p.partial("wa_media_state", templates.Values{"state": "pending", "icon": icon, "filename": name, "text": p.t("whatsapp.media_pending")})
	case f.State == recrubo.MediaTooLarge:
		return p.partial("wa_media_state", templates.Values{"state": "too-large", "icon": icon, "filename": name,
			"text": p.t("whatsapp.media_too_large", formatBytes(p.lang, f.Size))})
	case f.State == recrubo.MediaFailed:
		return p.partial("wa_media_state", templates.Values{"state": "failed", "icon": icon, "filename": name,
			"text": p.t("whatsapp.media_failed")})
	}
	u := p.mediaURL(x.candidateID, m.ID)
	if (kind == recrubo.KindImage || kind == recrubo.KindSticker) && inlineImage(f.MimeType) {
		return p.partial("wa_image", templates.Values{"alt": name, "url": u})
	}
	facts := formatBytes(p.lang, f.Size)
	if t := fileTypeLabel(f.MimeType); t != "" {
		facts += " · " + t
	}
	return p.partial("wa_file", templates.Values{"url": u, "filename": downloadName(f, kind), "label": name, "icon": icon,
		"facts": facts, "download": p.t("whatsapp.media_download")})
}

// location renders a shared location with a link to a map.
func (p *embedPage) location(l *recrubo.GeoLocation) templates.HTML {
	lat, lon := strconv.FormatFloat(l.Latitude, 'f', 5, 64), strconv.FormatFloat(l.Longitude, 'f', 5, 64)
	name := l.Name
	if name == "" {
		name = p.t("whatsapp.kind_location")
	}
	return p.partial("wa_location", templates.Values{"name": name, "address": l.Address,
		"mapURL":   "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=16/" + lat + "/" + lon,
		"mapLabel": p.t("whatsapp.location_map"), "coords": lat + ", " + lon})
}

// contact renders a shared contact card with its numbers and addresses.
func (p *embedPage) contact(card recrubo.ContactCard) templates.HTML {
	var lines []templates.HTML
	for _, ph := range card.Phones {
		tel := ph.Phone
		if ph.WaID != "" {
			tel = "+" + ph.WaID
		}
		lines = append(lines, p.partial("wa_contact_phone", templates.Values{"telURL": "tel:" + strings.ReplaceAll(tel, " ", ""),
			"phone": ph.Phone, "type": strings.ToLower(ph.Type)}))
	}
	for _, e := range card.Emails {
		lines = append(lines, p.partial("wa_contact_email", templates.Values{"mailURL": "mailto:" + e, "email": e}))
	}
	org := templates.HTML{}
	if card.Organization != "" {
		org = p.partial("wa_note", templates.Values{"text": card.Organization})
	}
	name := card.Name
	if name == "" {
		name = "—"
	}
	return p.partial("wa_contact", templates.Values{"name": name, "label": p.t("whatsapp.contact"), "org": org,
		"lines": templates.Join(lines)})
}

// decorate wraps a message's content with the message it answers and the
// reactions on it.
func (p *embedPage) decorate(m *recrubo.Message, content templates.HTML) templates.HTML {
	x := p.extras
	if x == nil {
		return content
	}
	parts := []templates.HTML{}
	if m.ReplyTo != "" {
		if q := x.byProvider[m.ReplyTo]; q != nil {
			parts = append(parts, p.partial("wa_quote", templates.Values{"label": p.t("whatsapp.reply_to"), "text": quoteOf(q)}))
		}
	}
	parts = append(parts, content)
	if rs := x.reactions[m.ProviderID]; len(rs) > 0 && m.ProviderID != "" {
		parts = append(parts, p.partial("wa_reactions", templates.Values{"label": p.t("whatsapp.reactions"),
			"emojis": recrubo.ReactionSummary(rs)}))
	}
	return templates.Join(parts)
}

// quoteOf is the start of a quoted message.
func quoteOf(m *recrubo.Message) string {
	s := strings.Join(strings.Fields(m.Body), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// failureText translates why a message failed into what to do: by its
// failure code (WhatsApp's error code, or the product's own), else the
// reason as the provider gave it.
func (p *embedPage) failureText(code, reason string) string {
	if code != "" {
		if _, ok := p.s.deps.Catalog.Lookup(p.lang, "whatsapp.error."+code); ok {
			text := p.t("whatsapp.error." + code)
			if code[0] >= '0' && code[0] <= '9' {
				text += " (" + code + ")"
			}
			return text
		}
	}
	if reason == "" {
		return p.t("embed.unknown_reason")
	}
	return p.t("whatsapp.error.other", reason)
}

// mobileNotice explains why a candidate has no WhatsApp number.
func (p *embedPage) mobileNotice(c *recrubo.Candidate) templates.HTML {
	_, problem := recrubo.WhatsAppNumber(c.Mobile, c.Phone, p.tenant.PhoneRegion)
	if problem == "" {
		// Synced before numbers were checked: a landline is stored.
		problem = recrubo.MobileLandline
	}
	if problem == recrubo.MobileMissing {
		return p.notice("warning", p.t("whatsapp.no_mobile_heading"), p.t("whatsapp.no_mobile_missing"))
	}
	number := strings.TrimSpace(c.Mobile)
	if problem == recrubo.MobileLandline && (number == "" || !isLandline(number, p.tenant.PhoneRegion)) {
		number = strings.TrimSpace(c.Phone)
	}
	return p.notice("warning", p.t("whatsapp.no_mobile_heading"), p.t("whatsapp.no_mobile_"+string(problem), number))
}

// isLandline reports whether raw is a valid number of region that is not
// a mobile one.
func isLandline(raw, region string) bool {
	n, err := recrubo.NormalizePhone(raw, region)
	return err == nil && !recrubo.IsMobilePhone(n)
}

// unavailableTemplates lists the templates that cannot be sent, and why.
func (p *embedPage) unavailableTemplates(ts []*recrubo.MessageTemplate) templates.HTML {
	var items []templates.HTML
	for _, t := range ts {
		ok, why := t.Sendable()
		if ok {
			continue
		}
		reason := p.t("whatsapp.template_" + why)
		if why == recrubo.NotSendableStatus {
			reason = p.t("whatsapp.template_status_" + string(t.Status))
		}
		if t.Reason != "" {
			reason += " (" + t.Reason + ")"
		}
		items = append(items, p.partial("wa_template_unavailable", templates.Values{"text": fmt.Sprintf("%s (%s): %s", t.Name, t.Language, reason)}))
	}
	if len(items) == 0 {
		return templates.HTML{}
	}
	return p.partial("wa_templates_unavailable", templates.Values{"heading": p.tn("whatsapp.templates_unavailable", len(items)),
		"items": templates.Join(items)})
}

// attachInput renders the composer's file input.
func (p *embedPage) attachInput() templates.HTML {
	return p.partial("wa_attach", templates.Values{"label": p.t("whatsapp.attach"), "accept": attachAccept,
		"hint": p.t("whatsapp.attach_hint", formatBytes(p.lang, int64(p.s.cfg.BodyLimit*3/4)))})
}

// attachAccept are the file types a recruiter may send.
const attachAccept = "image/jpeg,image/png,application/pdf,text/plain,application/msword," +
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.ms-excel," +
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
