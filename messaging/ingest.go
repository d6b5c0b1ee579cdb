package messaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// Event id prefixes of stored WhatsApp events.
const (
	eventMessage  = "message:"
	eventStatus   = "status:"
	eventError    = "error:"
	eventTemplate = "template:"
)

// Event types of stored WhatsApp events.
const (
	TypeMessage  = "message"
	TypeStatus   = "status"
	TypeError    = "error"
	TypeTemplate = "template"
)

func messageEventID(m whatsapp.InboundMessage) string { return eventMessage + m.ID }

func statusEventID(s whatsapp.StatusUpdate) string {
	return eventStatus + s.MessageID + ":" + string(s.Status)
}

// errorEventID names the i-th value-level error of a delivery: a
// redelivery of the same body has the same ids.
func errorEventID(body []byte, i int) string {
	sum := sha256.Sum256(body)
	return eventError + hex.EncodeToString(sum[:12]) + ":" + strconv.Itoa(i)
}

// templateEventID names a template status change.
func templateEventID(u whatsapp.TemplateStatusUpdate) string {
	return eventTemplate + u.Name + ":" + u.Language + ":" + u.Event + ":" + strconv.FormatInt(u.Time.Unix(), 10)
}

// webhookTenant returns the tenant of a webhook URL, refusing one without
// a WhatsApp channel as if it did not exist.
func (s *Service) webhookTenant(ctx context.Context, slug string) (*recrubo.Tenant, error) {
	t, err := s.store.TenantBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !t.WhatsApp.Enabled() {
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "There is no WhatsApp channel here.")
	}
	return t, nil
}

// VerifySubscription answers Meta's GET handshake for the tenant's webhook
// and returns the challenge to echo. Returns EFORBIDDEN when the verify
// token or mode is wrong.
func (s *Service) VerifySubscription(ctx context.Context, tenantSlug string, query url.Values) (string, error) {
	t, err := s.webhookTenant(ctx, tenantSlug)
	if err != nil {
		return "", err
	}
	challenge, err := whatsapp.VerifyHandshake(query, t.WhatsApp.VerifyToken.Reveal())
	if err != nil {
		return "", recrubo.WrapError(recrubo.EFORBIDDEN, err, "The subscription request was refused.")
	}
	return challenge, nil
}

// IngestWhatsApp accepts one webhook delivery for the tenant: it checks the
// signature of the raw body (EUNAUTHORIZED), parses it (EINVALID), and
// stores each new message and status as an event with its processing job,
// all in one transaction (which deliveries arriving together share). It returns how many events were new; a
// redelivery stores nothing.
func (s *Service) IngestWhatsApp(ctx context.Context, tenantSlug string, body []byte, signature string) (int, error) {
	t, err := s.webhookTenant(ctx, tenantSlug)
	if err != nil {
		return 0, err
	}
	if err := whatsapp.VerifySignature(t.WhatsApp.AppSecret.Reveal(), body, signature); err != nil {
		return 0, recrubo.WrapError(recrubo.EUNAUTHORIZED, err, "The webhook signature is not valid.")
	}
	n, err := whatsapp.ParseWebhook(body)
	if err != nil {
		if errors.Is(err, whatsapp.ErrInvalidWebhook) {
			return 0, recrubo.WrapError(recrubo.EINVALID, err, "The webhook payload is not valid.")
		}
		return 0, err
	}
	type item struct{ id, typ string }
	var items []item
	for _, m := range n.Messages {
		if m.PhoneNumberID == t.WhatsApp.PhoneNumberID {
			items = append(items, item{messageEventID(m), TypeMessage})
		}
	}
	for _, st := range n.Statuses {
		if st.PhoneNumberID == t.WhatsApp.PhoneNumberID {
			items = append(items, item{statusEventID(st), TypeStatus})
		}
	}
	for i, e := range n.Errors {
		if e.PhoneNumberID == t.WhatsApp.PhoneNumberID {
			items = append(items, item{errorEventID(body, i), TypeError})
		}
	}
	for _, u := range n.TemplateUpdates {
		if t.WhatsApp.BusinessAccountID != "" && u.BusinessAccountID == t.WhatsApp.BusinessAccountID {
			items = append(items, item{templateEventID(u), TypeTemplate})
		}
	}
	if len(items) == 0 {
		return 0, nil
	}
	// The items are stored with their processing jobs in one transaction,
	// which deliveries arriving together share (group commit).
	received := s.now()
	evs := make([]*recrubo.InboundEvent, len(items))
	jobs := make([]recrubo.JobArgs, len(items))
	for i, it := range items {
		evs[i] = &recrubo.InboundEvent{TenantID: t.ID, Source: recrubo.SourceWhatsApp, ID: it.id, Type: it.typ,
			Payload: body, ReceivedAt: received}
		jobs[i] = EventJob{TenantID: t.ID, EventID: it.id}
	}
	isNew, err := s.store.RecordEventsAndEnqueue(ctx, evs, jobs)
	if err != nil {
		return 0, wrap(err, "storing WhatsApp webhook of %s", t.Slug)
	}
	fresh := 0
	for _, n := range isNew {
		if n {
			fresh++
		}
	}
	return fresh, nil
}
