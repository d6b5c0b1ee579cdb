package messaging

import (
	"context"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// timeMonthStart is the first instant of t's month in t's location.
func timeMonthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// toStatus converts a provider status; ok is false for ones the domain does
// not know.
func toStatus(st whatsapp.Status) (recrubo.MessageStatus, bool) {
	switch st {
	case whatsapp.StatusSent:
		return recrubo.StatusSent, true
	case whatsapp.StatusDelivered:
		return recrubo.StatusDelivered, true
	case whatsapp.StatusRead:
		return recrubo.StatusRead, true
	case whatsapp.StatusFailed:
		return recrubo.StatusFailed, true
	}
	return "", false
}

// statusUpdate is the update that reports status st of m at at.
func statusUpdate(m *recrubo.Message, st recrubo.MessageStatus, at time.Time, code, reason string) *recrubo.Message {
	u := &recrubo.Message{TenantID: m.TenantID, ID: m.ID, Status: st}
	switch st {
	case recrubo.StatusSent:
		u.SentAt = at
	case recrubo.StatusDelivered:
		u.DeliveredAt = at
	case recrubo.StatusRead:
		u.ReadAt = at
	case recrubo.StatusFailed:
		u.FailedAt, u.FailCode, u.FailReason = at, code, reason
	}
	return u
}

// applyStatus applies a status webhook in tx and says what it did.
func (s *Service) applyStatus(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, su whatsapp.StatusUpdate) (string, error) {
	st, ok := toStatus(su.Status)
	if !ok {
		return "ignored: unknown status " + string(su.Status), nil
	}
	reason := su.FailureReason()
	m, err := s.statusMessage(ctx, tx, tenant, su)
	if err != nil {
		return "", err
	}
	if m == nil {
		// The status overtook the send's answer: keep it for later.
		err := tx.AddPendingStatus(ctx, &recrubo.PendingStatus{TenantID: tenant.ID, ProviderID: su.MessageID,
			Status: st, At: su.Timestamp, FailCode: su.FailureCode(), Reason: reason})
		return "pending", err
	}
	if m.ProviderID != su.MessageID {
		return "ignored: status of another attempt", nil
	}
	before := m.Status
	u := statusUpdate(m, st, su.Timestamp, su.FailureCode(), reason)
	if err := tx.UpdateMessage(ctx, u); err != nil {
		return "", err
	}
	if err := s.bill(ctx, tx, tenant, u, st, su.Timestamp, statusPricing(su)); err != nil {
		return "", err
	}
	if u.Status == before {
		return "kept " + string(before), nil
	}
	return "status " + string(u.Status), nil
}

// statusMessage finds the message a status is about: by its callback data
// (adopting the wamid when the send's answer was lost), else by wamid. Nil
// when neither finds one yet.
func (s *Service) statusMessage(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, su whatsapp.StatusUpdate) (*recrubo.Message, error) {
	if id, attempt, ok := parseCallbackData(su.BizOpaqueCallbackData); ok {
		m, err := tx.Message(ctx, tenant.ID, id)
		switch {
		case isCode(err, recrubo.ENOTFOUND):
			// Not ours after all; fall back to the wamid.
		case err != nil:
			return nil, err
		case m.Direction == recrubo.Outbound && m.SendAttempt == attempt && m.ProviderID == "":
			if err := s.acceptedTx(ctx, tx, tenant, m.ID, attempt, su.MessageID); err != nil {
				return nil, err
			}
			return tx.Message(ctx, tenant.ID, m.ID)
		}
	}
	m, err := tx.MessageByProviderID(ctx, tenant.ID, su.MessageID)
	if isCode(err, recrubo.ENOTFOUND) {
		return nil, nil
	}
	return m, err
}
