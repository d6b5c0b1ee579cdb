package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const broadcastColumns = `tenant_id, id, vacancy_id, template_name, template_language, vars, created_by, request_key,
    state, total, created_at, finished_at`

func scanBroadcast(r row) (*recrubo.Broadcast, error) {
	var (
		b                 recrubo.Broadcast
		vars              string
		created, finished int64
	)
	if err := r.Scan(&b.TenantID, &b.ID, &b.VacancyID, &b.TemplateName, &b.TemplateLanguage, &vars, &b.CreatedBy,
		&b.RequestKey, &b.State, &b.Total, &created, &finished); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(vars), &b.Vars); err != nil {
		return nil, fmt.Errorf("decoding the values of broadcast %s: %w", b.ID, err)
	}
	b.CreatedAt, b.FinishedAt = timeMicro(created), timeMicro(finished)
	return &b, nil
}

// CreateBroadcast stores a broadcast and its recipients, or, when its
// request key is taken, loads that broadcast into b.
func (q *queries) CreateBroadcast(ctx context.Context, b *recrubo.Broadcast, rs []*recrubo.BroadcastRecipient) (bool, error) {
	if b.TenantID == "" || b.VacancyID == "" || b.TemplateName == "" || b.TemplateLanguage == "" || b.RequestKey == "" {
		return false, recrubo.Errorf(recrubo.EINVALID, "A broadcast needs a tenant, a vacancy, a template and a request key.")
	}
	existing, err := scanBroadcast(q.q.queryRow(ctx, `SELECT `+broadcastColumns+` FROM broadcasts
        WHERE tenant_id = $1 AND request_key = $2`, b.TenantID, b.RequestKey))
	switch {
	case err == nil:
		*b = *existing
		return false, nil
	case !isNoRows(err):
		return false, fmt.Errorf("looking up broadcast %s: %w", b.RequestKey, err)
	}
	u, err := uuid.NewV7()
	if err != nil {
		return false, fmt.Errorf("generating broadcast id: %w", err)
	}
	vars := b.Vars
	if vars == nil {
		vars = []string{}
	}
	vj, err := json.Marshal(vars)
	if err != nil {
		return false, fmt.Errorf("encoding broadcast values: %w", err)
	}
	b.ID, b.Total, b.State = u.String(), len(rs), recrubo.BroadcastRunning
	if len(rs) == 0 {
		b.State, b.FinishedAt = recrubo.BroadcastDone, q.now()
	}
	created := q.stamp(b.CreatedAt)
	_, err = q.q.exec(ctx, `INSERT INTO broadcasts (`+broadcastColumns+`)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		b.TenantID, b.ID, b.VacancyID, b.TemplateName, b.TemplateLanguage, string(vj), b.CreatedBy, b.RequestKey,
		string(b.State), b.Total, created, microTime(b.FinishedAt))
	if errors.Is(err, errUniqueViolation) {
		return false, recrubo.WrapError(recrubo.ECONFLICT, err, "This broadcast was just sent.")
	}
	if err != nil {
		return false, fmt.Errorf("storing broadcast: %w", fkNotFound(err, b.TenantID))
	}
	b.CreatedAt = timeMicro(created)
	for i, r := range rs {
		r.TenantID, r.BroadcastID, r.Position = b.TenantID, b.ID, i+1
		if r.State == "" {
			r.State = recrubo.RecipientPending
		}
		r.UpdatedAt = b.CreatedAt
		if _, err := q.q.exec(ctx, `INSERT INTO broadcast_recipients (tenant_id, broadcast_id, candidate_id, position,
                name, phone, state, reason, message_id, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.TenantID, r.BroadcastID, r.CandidateID, r.Position, r.Name, r.Phone, string(r.State), r.Reason,
			r.MessageID, created); err != nil {
			if errors.Is(err, errUniqueViolation) {
				return false, recrubo.WrapError(recrubo.EINVALID, err, "Candidate %q is in the broadcast twice.", r.CandidateID)
			}
			return false, fmt.Errorf("storing a recipient of broadcast %s: %w", b.ID, err)
		}
	}
	q.touch(b.TenantID, ChangeBroadcast, b.ID)
	return true, nil
}

// Broadcast returns ENOTFOUND if there is no such broadcast.
func (q *queries) Broadcast(ctx context.Context, tenantID, id string) (*recrubo.Broadcast, error) {
	b, err := scanBroadcast(q.q.queryRow(ctx, `SELECT `+broadcastColumns+` FROM broadcasts
        WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Broadcast %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading broadcast %s: %w", id, err)
	}
	return b, nil
}

// VacancyBroadcasts returns a vacancy's broadcasts, newest first.
func (q *queries) VacancyBroadcasts(ctx context.Context, tenantID, vacancyID string, limit int) ([]*recrubo.Broadcast, error) {
	bs, err := collect(ctx, q.q, func(r rows) (*recrubo.Broadcast, error) { return scanBroadcast(r) },
		`SELECT `+broadcastColumns+` FROM broadcasts WHERE tenant_id = $1 AND vacancy_id = $2
        ORDER BY created_at DESC, id DESC LIMIT $3`, tenantID, vacancyID, listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing the broadcasts of vacancy %s: %w", vacancyID, err)
	}
	return bs, nil
}

const recipientColumns = `r.tenant_id, r.broadcast_id, r.candidate_id, r.position, r.name, r.phone, r.state, r.reason,
    r.message_id, r.updated_at`

func recipientDest(r *recrubo.BroadcastRecipient, updated *int64) []any {
	return []any{&r.TenantID, &r.BroadcastID, &r.CandidateID, &r.Position, &r.Name, &r.Phone, &r.State, &r.Reason,
		&r.MessageID, updated}
}

// PendingRecipients returns up to limit pending recipients in order.
func (q *queries) PendingRecipients(ctx context.Context, tenantID, broadcastID string, limit int) ([]*recrubo.BroadcastRecipient, error) {
	rs, err := collect(ctx, q.q, func(row rows) (*recrubo.BroadcastRecipient, error) {
		var r recrubo.BroadcastRecipient
		var updated int64
		if err := row.Scan(recipientDest(&r, &updated)...); err != nil {
			return nil, err
		}
		r.UpdatedAt = timeMicro(updated)
		return &r, nil
	}, `SELECT `+recipientColumns+` FROM broadcast_recipients r
        WHERE r.tenant_id = $1 AND r.broadcast_id = $2 AND r.state = 'pending' ORDER BY r.position LIMIT $3`,
		tenantID, broadcastID, listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("listing the pending recipients of broadcast %s: %w", broadcastID, err)
	}
	return rs, nil
}

// SettleRecipient moves a pending recipient to r's state; false when it
// is no longer pending.
func (q *queries) SettleRecipient(ctx context.Context, r *recrubo.BroadcastRecipient) (bool, error) {
	if r.State != recrubo.RecipientQueued && r.State != recrubo.RecipientSkipped {
		return false, recrubo.Errorf(recrubo.EINVALID, "A recipient is settled as queued or skipped, not %q.", r.State)
	}
	updated := q.nowMicro()
	n, err := q.q.exec(ctx, `UPDATE broadcast_recipients SET state = $4, reason = $5, message_id = $6, updated_at = $7
        WHERE tenant_id = $1 AND broadcast_id = $2 AND candidate_id = $3 AND state = 'pending'`,
		r.TenantID, r.BroadcastID, r.CandidateID, string(r.State), r.Reason, r.MessageID, updated)
	if err != nil {
		return false, fmt.Errorf("settling recipient %s of broadcast %s: %w", r.CandidateID, r.BroadcastID, err)
	}
	if n == 0 {
		return false, nil
	}
	r.UpdatedAt = timeMicro(updated)
	q.touch(r.TenantID, ChangeBroadcast, r.BroadcastID)
	return true, nil
}

// BroadcastResults returns every recipient in order, with the status of
// a queued recipient's message.
func (q *queries) BroadcastResults(ctx context.Context, tenantID, broadcastID string) ([]*recrubo.BroadcastResult, error) {
	out, err := collect(ctx, q.q, func(row rows) (*recrubo.BroadcastResult, error) {
		var (
			res                   recrubo.BroadcastResult
			updated               int64
			status, failure, code *string
		)
		dest := append(recipientDest(&res.BroadcastRecipient, &updated), &status, &failure, &code)
		if err := row.Scan(dest...); err != nil {
			return nil, err
		}
		res.UpdatedAt = timeMicro(updated)
		if status != nil {
			res.MessageStatus = recrubo.MessageStatus(*status)
		}
		if failure != nil {
			res.FailReason = *failure
		}
		if code != nil {
			res.FailCode = *code
		}
		return &res, nil
	}, `SELECT `+recipientColumns+`, m.status, m.fail_reason, m.fail_code FROM broadcast_recipients r
        LEFT JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id AND r.message_id <> ''
        WHERE r.tenant_id = $1 AND r.broadcast_id = $2 ORDER BY r.position`, tenantID, broadcastID)
	if err != nil {
		return nil, fmt.Errorf("listing the results of broadcast %s: %w", broadcastID, err)
	}
	return out, nil
}

// FinishBroadcast marks a broadcast done.
func (q *queries) FinishBroadcast(ctx context.Context, tenantID, id string, at time.Time) error {
	n, err := q.q.exec(ctx, `UPDATE broadcasts SET state = 'done', finished_at = $3
        WHERE tenant_id = $1 AND id = $2 AND state <> 'done'`, tenantID, id, q.stamp(at))
	if err != nil {
		return fmt.Errorf("finishing broadcast %s: %w", id, err)
	}
	if n > 0 {
		q.touch(tenantID, ChangeBroadcast, id)
	}
	return nil
}

// TemplateRecipients returns the candidates an earlier broadcast of the
// vacancy queued the template for.
func (q *queries) TemplateRecipients(ctx context.Context, tenantID, vacancyID, name, language string) ([]string, error) {
	ids, err := collect(ctx, q.q, func(r rows) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	}, `SELECT DISTINCT r.candidate_id FROM broadcast_recipients r
        JOIN broadcasts b ON b.tenant_id = r.tenant_id AND b.id = r.broadcast_id
        WHERE r.tenant_id = $1 AND b.vacancy_id = $2 AND b.template_name = $3 AND b.template_language = $4
            AND r.state = 'queued' ORDER BY r.candidate_id`, tenantID, vacancyID, name, language)
	if err != nil {
		return nil, fmt.Errorf("listing who got template %s for vacancy %s: %w", name, vacancyID, err)
	}
	return ids, nil
}
