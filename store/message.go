package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const messageColumns = `tenant_id, id, conversation_id, direction, sender_id, body, template_name,
    template_language, template_vars, media_type, media_ref, provider_id, status, fail_reason, send_attempt,
    dispatched_at, created_at, sent_at, delivered_at, read_at, failed_at, kind, content, reply_to, fail_code`

func scanMessage(r row) (*recrubo.Message, error) {
	var (
		m                                                         recrubo.Message
		vars, content                                             string
		dispatched, created, sent, delivered, readAt, failed, att int64
	)
	err := r.Scan(&m.TenantID, &m.ID, &m.ConversationID, &m.Direction, &m.SenderID, &m.Body, &m.TemplateName,
		&m.TemplateLanguage, &vars, &m.MediaType, &m.MediaRef, &m.ProviderID, &m.Status, &m.FailReason, &att,
		&dispatched, &created, &sent, &delivered, &readAt, &failed, &m.Kind, &content, &m.ReplyTo, &m.FailCode)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(vars), &m.TemplateVars); err != nil {
		return nil, fmt.Errorf("decoding template variables of message %s: %w", m.ID, err)
	}
	if content != "{}" && content != "" { // most messages are text
		if err := json.Unmarshal([]byte(content), &m.Content); err != nil {
			return nil, fmt.Errorf("decoding the content of message %s: %w", m.ID, err)
		}
	}
	m.SendAttempt = int(att)
	m.DispatchedAt, m.CreatedAt, m.SentAt = timeMicro(dispatched), timeMicro(created), timeMicro(sent)
	m.DeliveredAt, m.ReadAt, m.FailedAt = timeMicro(delivered), timeMicro(readAt), timeMicro(failed)
	return &m, nil
}

func scanMessages(r rows) (*recrubo.Message, error) { return scanMessage(r) }

// statusRank is MessageStatus.Rank in SQL, applied to the expression x.
func statusRank(x string) string {
	return `(CASE ` + x + ` WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 WHEN 'failed' THEN 3
        WHEN 'delivered' THEN 4 WHEN 'read' THEN 5 ELSE 0 END)`
}

func checkMessage(m *recrubo.Message) error {
	var problems []recrubo.FieldError
	if m.TenantID == "" || m.ConversationID == "" {
		problems = append(problems, recrubo.FieldError{Field: "conversation_id", Message: "is required"})
	}
	switch m.Direction {
	case recrubo.Inbound, recrubo.Outbound:
	default:
		problems = append(problems, recrubo.FieldError{Field: "direction", Message: "must be inbound or outbound"})
	}
	if m.Status == "" {
		problems = append(problems, recrubo.FieldError{Field: "status", Message: "is required"})
	}
	if len(problems) > 0 {
		return &recrubo.Error{Code: recrubo.EINVALID, Message: "The message is not valid.", Fields: problems}
	}
	return nil
}

// AddMessage stores a new message, assigning an ID when it has none and
// CreatedAt when it is zero. A message whose ProviderID the tenant already
// has is not added: added is false and m is left as given.
func (q *queries) AddMessage(ctx context.Context, m *recrubo.Message) (bool, error) {
	if err := checkMessage(m); err != nil {
		return false, err
	}
	id := m.ID
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return false, fmt.Errorf("generating message id: %w", err)
		}
		id = u.String()
	}
	vars := m.TemplateVars
	if vars == nil {
		vars = []string{}
	}
	varsJSON, err := json.Marshal(vars)
	if err != nil {
		return false, fmt.Errorf("encoding template variables: %w", err)
	}
	contentJSON, err := json.Marshal(m.Content)
	if err != nil {
		return false, fmt.Errorf("encoding message content: %w", err)
	}
	created := q.stamp(m.CreatedAt)
	n, err := q.q.exec(ctx, `INSERT INTO messages (`+messageColumns+`)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
            $22, $23, $24, $25)
        ON CONFLICT DO NOTHING`,
		m.TenantID, id, m.ConversationID, string(m.Direction), m.SenderID, m.Body, m.TemplateName,
		m.TemplateLanguage, string(varsJSON), m.MediaType, m.MediaRef, m.ProviderID, string(m.Status), m.FailReason,
		m.SendAttempt, microTime(m.DispatchedAt), created, microTime(m.SentAt), microTime(m.DeliveredAt),
		microTime(m.ReadAt), microTime(m.FailedAt), string(m.Kind), string(contentJSON), m.ReplyTo, m.FailCode)
	switch {
	case errors.Is(err, errForeignKeyViolation):
		return false, recrubo.WrapError(recrubo.ENOTFOUND, err, "Conversation %q does not exist.", m.ConversationID)
	case err != nil:
		return false, fmt.Errorf("adding message: %w", err)
	case n == 0:
		return false, nil // the provider id (or the id) is stored already
	}
	m.ID, m.CreatedAt = id, timeMicro(created)
	q.touch(m.TenantID, ChangeMessage, m.ConversationID)
	return true, nil
}

// UpdateMessage merges m's delivery fields into the stored message (the
// status moves only up by rank; provider id and the sent, delivered and
// read times are set once) and reads the result back into m. The fail
// reason and time are set only when the status becomes failed, and cleared
// when it moves above failed (delivered or read), so a delivered message
// never carries a failure.
func (q *queries) UpdateMessage(ctx context.Context, m *recrubo.Message) error {
	higher := statusRank("$4") + ` > ` + statusRank("status")
	toFailed := `$4 = 'failed' AND ` + higher
	pastFailed := higher + ` AND ` + statusRank("$4") + ` > ` + statusRank("'failed'")
	_, err := q.q.exec(ctx, `UPDATE messages SET
            provider_id = CASE WHEN provider_id = '' THEN $3 ELSE provider_id END,
            status = CASE WHEN `+higher+` THEN $4 ELSE status END,
            fail_reason = CASE WHEN `+toFailed+` THEN $5 WHEN `+pastFailed+` THEN '' ELSE fail_reason END,
            fail_code = CASE WHEN `+toFailed+` THEN $10 WHEN `+pastFailed+` THEN '' ELSE fail_code END,
            sent_at = CASE WHEN sent_at = 0 THEN $6 ELSE sent_at END,
            delivered_at = CASE WHEN delivered_at = 0 THEN $7 ELSE delivered_at END,
            read_at = CASE WHEN read_at = 0 THEN $8 ELSE read_at END,
            failed_at = CASE WHEN `+toFailed+` THEN $9 WHEN `+pastFailed+` THEN 0 ELSE failed_at END
        WHERE tenant_id = $1 AND id = $2`,
		m.TenantID, m.ID, m.ProviderID, string(m.Status), m.FailReason,
		microTime(m.SentAt), microTime(m.DeliveredAt), microTime(m.ReadAt), microTime(m.FailedAt), m.FailCode)
	if errors.Is(err, errUniqueViolation) {
		return recrubo.WrapError(recrubo.ECONFLICT, err, "Another message has provider id %q.", m.ProviderID)
	}
	if err != nil {
		return fmt.Errorf("updating message %s: %w", m.ID, err)
	}
	stored, err := q.Message(ctx, m.TenantID, m.ID)
	if err != nil {
		return err
	}
	*m = *stored
	q.touch(m.TenantID, ChangeMessage, m.ConversationID)
	return nil
}

// SetMessageDispatched records when the current attempt of a message was
// handed to the provider; a zero at clears it.
func (q *queries) SetMessageDispatched(ctx context.Context, tenantID, id string, at time.Time) error {
	var conv string
	err := q.q.queryRow(ctx, `UPDATE messages SET dispatched_at = $3 WHERE tenant_id = $1 AND id = $2 RETURNING conversation_id`,
		tenantID, id, microTime(at)).Scan(&conv)
	if isNoRows(err) {
		return recrubo.Errorf(recrubo.ENOTFOUND, "Message %q does not exist.", id)
	}
	if err != nil {
		return fmt.Errorf("marking message %s dispatched: %w", id, err)
	}
	q.touch(tenantID, ChangeMessage, conv)
	return nil
}

// RequeueMessage makes a failed outbound message queued for a new attempt.
func (q *queries) RequeueMessage(ctx context.Context, tenantID, id string) (*recrubo.Message, error) {
	n, err := q.q.exec(ctx, `UPDATE messages SET status = 'queued', provider_id = '', fail_reason = '', fail_code = '',
            send_attempt = send_attempt + 1, dispatched_at = 0, sent_at = 0, delivered_at = 0, read_at = 0,
            failed_at = 0
        WHERE tenant_id = $1 AND id = $2 AND direction = 'outbound' AND status = 'failed'`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("requeueing message %s: %w", id, err)
	}
	m, err := q.Message(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, recrubo.Errorf(recrubo.ECONFLICT, "Only a failed message can be sent again.")
	}
	q.touch(tenantID, ChangeMessage, m.ConversationID)
	return m, nil
}

// Message returns ENOTFOUND if there is no such message.
func (q *queries) Message(ctx context.Context, tenantID, id string) (*recrubo.Message, error) {
	m, err := scanMessage(q.q.queryRow(ctx, `SELECT `+messageColumns+` FROM messages
        WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Message %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading message %s: %w", id, err)
	}
	return m, nil
}

// MessageByProviderID returns ENOTFOUND if there is none.
func (q *queries) MessageByProviderID(ctx context.Context, tenantID, providerID string) (*recrubo.Message, error) {
	if providerID == "" {
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "A message needs a provider id to be found by it.")
	}
	m, err := scanMessage(q.q.queryRow(ctx, `SELECT `+messageColumns+` FROM messages
        WHERE tenant_id = $1 AND provider_id = $2`, tenantID, providerID))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Message %q does not exist.", providerID)
	case err != nil:
		return nil, fmt.Errorf("reading message %s: %w", providerID, err)
	}
	return m, nil
}

// Messages returns a conversation's newest limit messages, oldest first.
func (q *queries) Messages(ctx context.Context, tenantID, conversationID string, limit int) ([]*recrubo.Message, error) {
	ms, err := collect(ctx, q.q, scanMessages, `SELECT `+messageColumns+` FROM messages
        WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		tenantID, conversationID, listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing messages of conversation %s: %w", conversationID, err)
	}
	slices.Reverse(ms)
	return ms, nil
}

// MessagesBefore returns the newest limit of a conversation's messages
// that come before the cursor in the thread's order (created time, then
// id), oldest first: the page of older messages above what is shown.
func (q *queries) MessagesBefore(ctx context.Context, tenantID, conversationID string, before recrubo.MessageCursor, limit int) ([]*recrubo.Message, error) {
	ms, err := collect(ctx, q.q, scanMessages, `SELECT `+messageColumns+` FROM messages
        WHERE tenant_id = $1 AND conversation_id = $2 AND (created_at, id) < ($3, $4)
        ORDER BY created_at DESC, id DESC LIMIT $5`,
		tenantID, conversationID, microTime(before.CreatedAt), before.ID, listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing older messages of conversation %s: %w", conversationID, err)
	}
	slices.Reverse(ms)
	return ms, nil
}

// EachMessageSince calls fn with each of a tenant's messages created at or
// after since, oldest first, reading them as a stream.
func (q *queries) EachMessageSince(ctx context.Context, tenantID string, since time.Time, fn func(*recrubo.Message) error) error {
	rs, err := q.q.query(ctx, `SELECT `+messageColumns+` FROM messages
        WHERE tenant_id = $1 AND created_at >= $2 ORDER BY created_at, id`, tenantID, microTime(since))
	if err != nil {
		return fmt.Errorf("reading messages since %s: %w", since, err)
	}
	for rs.Next() {
		m, err := scanMessages(rs)
		if err == nil {
			err = fn(m)
		}
		if err != nil {
			_ = rs.Close()
			return err
		}
	}
	if err := rs.Close(); err != nil {
		return fmt.Errorf("reading messages since %s: %w", since, err)
	}
	return nil
}

// AddPendingStatus keeps a status for a provider id no message has yet.
func (q *queries) AddPendingStatus(ctx context.Context, p *recrubo.PendingStatus) error {
	if p.TenantID == "" || p.ProviderID == "" || p.Status == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A pending status needs a tenant, a provider id and a status.")
	}
	_, err := q.q.exec(ctx, `INSERT INTO pending_statuses (tenant_id, provider_id, status, at, reason, received_at, fail_code)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		p.TenantID, p.ProviderID, string(p.Status), q.stamp(p.At), p.Reason, q.nowMicro(), p.FailCode)
	if err != nil {
		return fmt.Errorf("keeping pending status of %s: %w", p.ProviderID, fkNotFound(err, p.TenantID))
	}
	q.touch(p.TenantID, ChangeMessage, "")
	return nil
}

// TakePendingStatuses removes and returns a provider id's pending statuses.
func (q *queries) TakePendingStatuses(ctx context.Context, tenantID, providerID string) ([]*recrubo.PendingStatus, error) {
	ps, err := collect(ctx, q.q, func(r rows) (*recrubo.PendingStatus, error) {
		p := recrubo.PendingStatus{TenantID: tenantID, ProviderID: providerID}
		var at int64
		if err := r.Scan(&p.Status, &at, &p.Reason, &p.FailCode); err != nil {
			return nil, err
		}
		p.At = timeMicro(at)
		return &p, nil
	}, `SELECT status, at, reason, fail_code FROM pending_statuses WHERE tenant_id = $1 AND provider_id = $2
        ORDER BY at, status`, tenantID, providerID)
	if err != nil {
		return nil, fmt.Errorf("reading pending statuses of %s: %w", providerID, err)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	if _, err := q.q.exec(ctx, `DELETE FROM pending_statuses WHERE tenant_id = $1 AND provider_id = $2`,
		tenantID, providerID); err != nil {
		return nil, fmt.Errorf("removing pending statuses of %s: %w", providerID, err)
	}
	q.touch(tenantID, ChangeMessage, "")
	return ps, nil
}
