package messaging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// callbackData is what a send passes as biz_opaque_callback_data: the
// message id and attempt, echoed on the send's status webhooks.
func callbackData(m *recrubo.Message) string { return m.ID + ":" + strconv.Itoa(m.SendAttempt) }

// parseCallbackData splits callback data made by callbackData.
func parseCallbackData(s string) (id string, attempt int, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return s[:i], n, true
}

// HandleSend is the handler of SendJob: it sends one attempt of a message
// at most once (see the package documentation).
func (s *Service) HandleSend(ctx context.Context, job SendJob) error {
	m, err := s.store.Message(ctx, job.TenantID, job.MessageID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if m.SendAttempt != job.Attempt || m.Status != recrubo.StatusQueued || m.ProviderID != "" {
		return nil // sent, failed or superseded already
	}
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if err != nil {
		if isCode(err, recrubo.ENOTFOUND) {
			return jobs.Permanent(err)
		}
		return err
	}
	if err := requireWhatsApp(tenant); err != nil {
		return s.fail(ctx, m, recrubo.FailNotConnected, err.Error())
	}
	conv, err := s.store.Conversation(ctx, tenant.ID, m.ConversationID)
	if err != nil {
		return err
	}
	if err := refuseOptedOut(ctx, s.store, tenant.ID, conv.Phone); err != nil {
		if isCode(err, recrubo.EFORBIDDEN) {
			return s.fail(ctx, m, recrubo.FailOptedOut, err.Error())
		}
		return err
	}
	if !m.DispatchedAt.IsZero() {
		// An earlier run handed the message over and lost the answer:
		// wait for a status webhook that would prove it was accepted.
		if wait := m.DispatchedAt.Add(s.confirmWait).Sub(s.now()); wait > 0 {
			return jobs.Snooze(wait)
		}
		s.log.WarnContext(ctx, "no status for a send whose answer was lost; sending again",
			"tenant", tenant.ID, "message", m.ID)
	}
	tpl, err := messageTemplate(ctx, s.store, m)
	if err != nil {
		if isCode(err, recrubo.EINVALID) {
			return s.fail(ctx, m, recrubo.FailTemplate, err.Error())
		}
		return err
	}
	client, err := s.client(tenant)
	if err != nil {
		return s.fail(ctx, m, recrubo.FailNotConnected, err.Error())
	}
	if err := s.store.SetMessageDispatched(ctx, tenant.ID, m.ID, s.now()); err != nil {
		return err
	}
	res, err := s.post(ctx, client, conv.Phone, m, tpl)
	var netErr *whatsapp.NetworkError
	switch {
	case err == nil:
		return s.accepted(ctx, tenant, m.ID, job.Attempt, res.MessageID)
	case errors.As(err, &netErr) || ctx.Err() != nil:
		// Ambiguous: the request may have reached Meta. Keep
		// DispatchedAt so the next run waits for a status first.
		return s.retryOrFail(ctx, m, err)
	}
	// Meta answered with an error: the message was not accepted.
	if cerr := s.store.SetMessageDispatched(ctx, tenant.ID, m.ID, time.Time{}); cerr != nil {
		return cerr
	}
	var apiErr *whatsapp.APIError
	if errors.As(err, &apiErr) && apiErr.Retryable() {
		return s.retryOrFail(ctx, m, err)
	}
	return s.fail(ctx, m, providerCode(err), providerReason(err))
}

// post sends the message as text, template (tpl: the header's values
// first, then the body's) or file.
func (s *Service) post(ctx context.Context, c *whatsapp.Client, phone string, m *recrubo.Message, tpl *recrubo.MessageTemplate) (whatsapp.SendResult, error) {
	switch {
	case tpl != nil:
		k := min(tpl.HeaderVariables(), len(m.TemplateVars))
		return c.SendTemplate(ctx, phone, whatsapp.Template{Name: m.TemplateName, Language: m.TemplateLanguage,
			HeaderParams: m.TemplateVars[:k], BodyParams: m.TemplateVars[k:]}, callbackData(m))
	case recrubo.KindOf(m).IsMedia():
		return s.postMedia(ctx, c, phone, m)
	}
	return c.SendText(ctx, phone, m.Body, false, callbackData(m))
}

// retryOrFail retries err, or marks the message failed on the last attempt.
func (s *Service) retryOrFail(ctx context.Context, m *recrubo.Message, err error) error {
	if n, of := jobs.Attempt(ctx); n > 0 && n >= of {
		return s.fail(ctx, m, providerCode(err), "Gave up after "+strconv.Itoa(n)+" attempts: "+providerReason(err))
	}
	return fmt.Errorf("sending message %s: %w", m.ID, err)
}

// providerCode is the failure code of a message the provider refused:
// WhatsApp's error code, else the product's own.
func providerCode(err error) string {
	var apiErr *whatsapp.APIError
	if errors.As(err, &apiErr) && apiErr.Code != 0 {
		return strconv.Itoa(apiErr.Code)
	}
	var netErr *whatsapp.NetworkError
	if errors.As(err, &netErr) {
		return recrubo.FailUnreachable
	}
	return recrubo.FailRefused
}

// providerReason is the reason stored on a message the provider refused.
func providerReason(err error) string {
	var apiErr *whatsapp.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Reason()
	}
	var netErr *whatsapp.NetworkError
	if errors.As(err, &netErr) {
		return "WhatsApp could not be reached."
	}
	if errors.Is(err, whatsapp.ErrInvalidRequest) {
		return "The message was refused before sending: " + err.Error()
	}
	return "The message could not be sent."
}

// fail marks the message failed with code (see recrubo.Message.FailCode)
// and reason; the job is done.
func (s *Service) fail(ctx context.Context, m *recrubo.Message, code, reason string) error {
	u := &recrubo.Message{TenantID: m.TenantID, ID: m.ID, Status: recrubo.StatusFailed, FailCode: code, FailReason: reason,
		FailedAt: s.now()}
	if err := s.store.UpdateMessage(ctx, u); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "message failed", "tenant", m.TenantID, "message", m.ID, "code", code, "reason", reason)
	return nil
}

// accepted records that the provider accepted attempt of message id as
// providerID: once, whether the send's answer or a status webhook tells
// first. It applies statuses that arrived before (billing the message
// when one says it reached WhatsApp); acceptance alone bills nothing.
func (s *Service) accepted(ctx context.Context, tenant *recrubo.Tenant, id string, attempt int, providerID string) error {
	return s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		return s.acceptedTx(ctx, tx, tenant, id, attempt, providerID)
	})
}

func (s *Service) acceptedTx(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, id string, attempt int, providerID string) error {
	m, err := tx.Message(ctx, tenant.ID, id)
	if err != nil {
		return err
	}
	if m.SendAttempt != attempt || m.ProviderID != "" {
		return nil
	}
	m.ProviderID = providerID
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	pending, err := tx.TakePendingStatuses(ctx, tenant.ID, providerID)
	if err != nil {
		return err
	}
	for _, p := range pending {
		u := statusUpdate(m, p.Status, p.At, p.FailCode, p.Reason)
		if err := tx.UpdateMessage(ctx, u); err != nil {
			return err
		}
		// A pending status keeps no pricing: billed by category window.
		if err := s.bill(ctx, tx, tenant, u, p.Status, p.At, nil); err != nil {
			return err
		}
	}
	return nil
}
