package messaging

import (
	"context"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// HandleEvent is the handler of EventJob: it processes one stored webhook
// event (an inbound message or a status) once.
func (s *Service) HandleEvent(ctx context.Context, job EventJob) error {
	ev, err := s.store.Event(ctx, job.TenantID, recrubo.SourceWhatsApp, job.EventID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if !ev.ProcessedAt.IsZero() {
		return nil
	}
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if err != nil {
		if isCode(err, recrubo.ENOTFOUND) {
			return jobs.Permanent(err)
		}
		return err
	}
	n, err := whatsapp.ParseWebhook(ev.Payload)
	if err != nil {
		return jobs.Permanent(wrap(err, "parsing stored event %s", ev.ID))
	}
	err = s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		outcome, err := s.processItem(ctx, tx, tenant, n, ev.Payload, ev.ID)
		if err != nil {
			return err
		}
		return tx.MarkEventProcessed(ctx, tenant.ID, recrubo.SourceWhatsApp, ev.ID, outcome, s.now())
	})
	return wrap(err, "processing WhatsApp event %s", ev.ID)
}

// processItem processes the item of n that the event id names.
func (s *Service) processItem(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, n whatsapp.Notification, payload []byte, eventID string) (string, error) {
	switch {
	case strings.HasPrefix(eventID, eventMessage):
		for _, m := range n.Messages {
			if messageEventID(m) == eventID && m.PhoneNumberID == tenant.WhatsApp.PhoneNumberID {
				return s.receive(ctx, tx, tenant, m)
			}
		}
	case strings.HasPrefix(eventID, eventStatus):
		for _, st := range n.Statuses {
			if statusEventID(st) == eventID && st.PhoneNumberID == tenant.WhatsApp.PhoneNumberID {
				return s.applyStatus(ctx, tx, tenant, st)
			}
		}
	case strings.HasPrefix(eventID, eventError):
		for i, e := range n.Errors {
			if errorEventID(payload, i) == eventID && e.PhoneNumberID == tenant.WhatsApp.PhoneNumberID {
				return s.recordError(ctx, tx, tenant, eventID, e)
			}
		}
	case strings.HasPrefix(eventID, eventTemplate):
		for _, u := range n.TemplateUpdates {
			if templateEventID(u) == eventID && u.BusinessAccountID == tenant.WhatsApp.BusinessAccountID {
				return s.applyTemplateUpdate(ctx, tx, tenant, u)
			}
		}
	}
	return "ignored: item not in payload", nil
}

// keywordTypes are the inbound message types whose text can be a consent
// keyword: typed text, and the title of a tapped quick-reply button
// ("button", on a template) or interactive reply ("interactive").
var keywordTypes = map[string]bool{"text": true, "button": true, "interactive": true}

// senderPhone is the E.164 number of a WhatsApp sender; a wa_id that is not
// a valid number is kept as "+digits" so the message is never dropped.
func senderPhone(waID string) string {
	if p, err := recrubo.NormalizePhone("+"+strings.TrimPrefix(waID, "+"), ""); err == nil {
		return p
	}
	return "+" + strings.TrimPrefix(waID, "+")
}

// receive stores an inbound message in its conversation, matching the
// sender to synced candidates, and handles consent keywords.
func (s *Service) receive(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, in whatsapp.InboundMessage) (string, error) {
	if in.Reaction != nil {
		return s.receiveReaction(ctx, tx, tenant, in)
	}
	phone := senderPhone(in.From)
	conv, err := tx.ConversationByPhone(ctx, tenant.ID, recrubo.ChannelWhatsApp, phone)
	switch {
	case isCode(err, recrubo.ENOTFOUND):
		conv = &recrubo.Conversation{TenantID: tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: phone,
			State: recrubo.ConversationOpen}
	case err != nil:
		return "", err
	}
	if !conv.Matched() {
		// Match (again) while unmatched or ambiguous: candidates sync
		// in after their first message.
		cands, err := tx.CandidatesByPhone(ctx, tenant.ID, phone)
		if err != nil {
			return "", err
		}
		switch len(cands) {
		case 0:
			conv.CandidateID, conv.Ambiguous = "", false
		case 1:
			conv.CandidateID, conv.Ambiguous = cands[0].ID, false
		default:
			conv.CandidateID, conv.Ambiguous = "", true
		}
	}
	at := in.Timestamp
	if at.IsZero() {
		at = s.now()
	}
	if conv.ID == "" {
		if err := tx.SaveConversation(ctx, conv); err != nil {
			return "", err
		}
	}
	msg := inboundMessage(tenant.ID, conv.ID, in)
	msg.CreatedAt = at
	added, err := tx.AddMessage(ctx, msg)
	if err != nil {
		return "", err
	}
	if !added {
		return "duplicate message", nil
	}
	if err := s.keepMedia(ctx, tx, msg); err != nil {
		return "", err
	}
	conv.LastInboundAt, conv.LastMessageAt, conv.LastMessagePreview = at, at, previewOf(msg)
	conv.State = recrubo.ConversationOpen
	if err := tx.SaveConversation(ctx, conv); err != nil {
		return "", err
	}
	outcome := "received"
	switch {
	case conv.Ambiguous:
		outcome += ", ambiguous"
	case conv.CandidateID == "":
		outcome += ", unmatched"
	}
	if keywordTypes[in.Type] {
		if optOut, ok := keyword(in.Text); ok {
			source := SourceStartKeyword
			if optOut {
				source = SourceStopKeyword
			}
			c := &recrubo.Consent{TenantID: tenant.ID, Phone: phone, OptedOut: optOut, Source: source, At: at}
			if err := tx.SaveConsent(ctx, c); err != nil {
				return "", err
			}
			outcome += ", " + source
		}
	}
	return outcome, nil
}
