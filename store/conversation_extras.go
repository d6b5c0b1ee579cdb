package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// MarkRead records that userID has read the conversation up to at; an at
// earlier than the stored one changes nothing.
func (q *queries) MarkRead(ctx context.Context, tenantID, conversationID, userID string, at time.Time) error {
	if userID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "Marking a conversation read needs a user.")
	}
	_, err := q.q.exec(ctx, `INSERT INTO read_markers (tenant_id, conversation_id, user_id, read_at)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, conversation_id, user_id) DO UPDATE SET read_at = excluded.read_at
        WHERE excluded.read_at > read_markers.read_at`, tenantID, conversationID, userID, q.stamp(at))
	if err != nil {
		return fmt.Errorf("marking conversation %s read: %w",
			conversationID, fkNotFoundAs(err, "Conversation %q does not exist.", conversationID))
	}
	q.touch(tenantID, ChangeConversation, conversationID)
	return nil
}

// Unread counts the candidate's messages of the open conversation after
// the last recruiter message that userID has not read (see
// ConversationFilter).
func (q *queries) Unread(ctx context.Context, tenantID, conversationID, userID string) (int, error) {
	var n int
	err := q.q.queryRow(ctx, `SELECT `+unreadCount(viewerReader)+` FROM conversations c
        WHERE c.tenant_id = $1 AND c.id = $3`, tenantID, userID, conversationID).Scan(&n)
	switch {
	case isNoRows(err):
		return 0, recrubo.Errorf(recrubo.ENOTFOUND, "Conversation %q does not exist.", conversationID)
	case err != nil:
		return 0, fmt.Errorf("counting unread messages: %w", err)
	}
	return n, nil
}

// Consent returns a zero Consent (not opted out) when none is stored.
func (q *queries) Consent(ctx context.Context, tenantID, phone string) (*recrubo.Consent, error) {
	c := recrubo.Consent{TenantID: tenantID, Phone: phone}
	var at int64
	err := q.q.queryRow(ctx, `SELECT opted_out, source, at FROM consents WHERE tenant_id = $1 AND phone = $2`,
		tenantID, phone).Scan(&c.OptedOut, &c.Source, &at)
	switch {
	case isNoRows(err):
		return &c, nil
	case err != nil:
		return nil, fmt.Errorf("reading consent: %w", err)
	}
	c.At = timeMicro(at)
	return &c, nil
}

// SaveConsent stores a phone number's consent; a zero At is now. A
// consent given or withdrawn earlier than the stored one changes nothing
// (the stored one is newer; webhook events are processed in any order); at
// the same time the later write wins. c is reloaded with what is stored.
func (q *queries) SaveConsent(ctx context.Context, c *recrubo.Consent) error {
	if c.TenantID == "" || c.Phone == "" || c.Source == "" {
		return recrubo.Errorf(recrubo.EINVALID, "Consent needs a tenant, a phone number and a source.")
	}
	at := q.stamp(c.At)
	n, err := q.q.exec(ctx, `INSERT INTO consents (tenant_id, phone, opted_out, source, at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (tenant_id, phone) DO UPDATE SET opted_out = excluded.opted_out, source = excluded.source,
            at = excluded.at
        WHERE excluded.at >= consents.at`, c.TenantID, c.Phone, c.OptedOut, c.Source, at)
	if err != nil {
		return fmt.Errorf("saving consent: %w", fkNotFound(err, c.TenantID))
	}
	if n == 0 {
		stored, err := q.Consent(ctx, c.TenantID, c.Phone)
		if err != nil {
			return fmt.Errorf("saving consent: %w", err)
		}
		*c = *stored
		return nil
	}
	c.At = timeMicro(at)
	q.touch(c.TenantID, ChangeConsent, c.Phone)
	return nil
}

func checkCategory(cat recrubo.TemplateCategory) error {
	switch cat {
	case recrubo.CategoryMarketing, recrubo.CategoryUtility, recrubo.CategoryAuthentication, recrubo.CategoryService:
		return nil
	}
	return recrubo.Errorf(recrubo.EINVALID, "Unknown conversation category %q.", cat)
}

// SaveCostRate stores a tenant's price of a conversation category.
func (q *queries) SaveCostRate(ctx context.Context, r *recrubo.CostRate) error {
	if err := checkCategory(r.Category); err != nil {
		return err
	}
	if r.Price.IsNegative() {
		return recrubo.Errorf(recrubo.EINVALID, "A price cannot be negative.")
	}
	_, err := q.q.exec(ctx, `INSERT INTO cost_rates (tenant_id, category, price) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id, category) DO UPDATE SET price = excluded.price`,
		r.TenantID, string(r.Category), r.Price.String())
	if err != nil {
		return fmt.Errorf("saving cost rate: %w", fkNotFound(err, r.TenantID))
	}
	q.touch(r.TenantID, ChangeCost, string(r.Category))
	return nil
}

// CostRates returns the tenant's rates by category.
func (q *queries) CostRates(ctx context.Context, tenantID string) ([]*recrubo.CostRate, error) {
	rs, err := collect(ctx, q.q, func(r rows) (*recrubo.CostRate, error) {
		cr := recrubo.CostRate{TenantID: tenantID}
		var price string
		if err := r.Scan(&cr.Category, &price); err != nil {
			return nil, err
		}
		p, err := decimal.NewFromString(price)
		if err != nil {
			return nil, fmt.Errorf("decoding price of %s: %w", cr.Category, err)
		}
		cr.Price = p
		return &cr, nil
	}, `SELECT category, price FROM cost_rates WHERE tenant_id = $1 ORDER BY category`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("listing cost rates: %w", err)
	}
	return rs, nil
}

// AddCost records one billed conversation of a category at at, counted in
// the month of at in at's location.
func (q *queries) AddCost(ctx context.Context, tenantID, conversationID string, cat recrubo.TemplateCategory, amount decimal.Decimal, at time.Time) error {
	if err := checkCategory(cat); err != nil {
		return err
	}
	if at.IsZero() {
		at = q.now()
	}
	_, err := q.q.exec(ctx, `INSERT INTO conversation_costs (tenant_id, conversation_id, category, amount, at, month)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		tenantID, conversationID, string(cat), amount.String(), at.UnixMicro(), at.Format("2006-01"))
	if err != nil {
		return fmt.Errorf("recording cost: %w", fkNotFound(err, tenantID))
	}
	q.touch(tenantID, ChangeCost, conversationID)
	return nil
}

// BillConversation records c unless a cost with its message key or
// provider key is recorded, or (without a provider key) the billing window
// of its conversation and category is open at c.At, which it otherwise
// opens for window. The unique keys and the window's row make concurrent
// calls record one cost.
func (q *queries) BillConversation(ctx context.Context, c *recrubo.ConversationCost, window time.Duration) (bool, error) {
	if err := checkCategory(c.Category); err != nil {
		return false, err
	}
	if c.TenantID == "" || c.ConversationID == "" {
		return false, recrubo.Errorf(recrubo.EINVALID, "A cost needs a tenant and a conversation.")
	}
	if c.Amount.IsNegative() {
		return false, recrubo.Errorf(recrubo.EINVALID, "A cost cannot be negative.")
	}
	at := c.At
	if at.IsZero() {
		at = q.now()
	}
	for _, k := range []struct{ column, key string }{{"message_key", c.MessageKey}, {"billing_key", c.ProviderKey}} {
		if k.key == "" {
			continue
		}
		var n int
		err := q.q.queryRow(ctx, `SELECT count(*) FROM conversation_costs WHERE tenant_id = $1 AND `+k.column+` = $2`,
			c.TenantID, k.key).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("looking up cost %s: %w", k.key, err)
		}
		if n > 0 {
			return false, nil
		}
	}
	if c.ProviderKey == "" {
		n, err := q.q.exec(ctx, `INSERT INTO billing_windows (tenant_id, conversation_id, category, billed_until)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id, conversation_id, category) DO UPDATE SET billed_until = excluded.billed_until
            WHERE billing_windows.billed_until <= $5`,
			c.TenantID, c.ConversationID, string(c.Category), at.Add(window).UnixMicro(), at.UnixMicro())
		if err != nil {
			return false, fmt.Errorf("opening the %s billing window of %s: %w", c.Category, c.ConversationID,
				fkNotFound(err, c.TenantID))
		}
		if n == 0 {
			return false, nil
		}
	}
	n, err := q.q.exec(ctx, `INSERT INTO conversation_costs (tenant_id, conversation_id, category, amount, at, month,
            billing_key, message_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		c.TenantID, c.ConversationID, string(c.Category), c.Amount.String(), at.UnixMicro(), at.Format("2006-01"),
		c.ProviderKey, c.MessageKey)
	if err != nil {
		return false, fmt.Errorf("recording cost of %s: %w", c.ConversationID, fkNotFound(err, c.TenantID))
	}
	if n == 0 {
		return false, nil
	}
	q.touch(c.TenantID, ChangeCost, c.ConversationID)
	return true, nil
}

// BillConversation records a cost unless it is billed already; see
// queries.BillConversation.
func (db *DB) BillConversation(ctx context.Context, c *recrubo.ConversationCost, window time.Duration) (bool, error) {
	return writeV(ctx, db, func(q *queries) (bool, error) { return q.BillConversation(ctx, c, window) })
}

// MonthlyCosts sums the costs recorded from since on by month and
// category, oldest month first; amounts are summed exactly.
func (q *queries) MonthlyCosts(ctx context.Context, tenantID string, since time.Time) ([]*recrubo.MonthlyCost, error) {
	type line struct {
		month, cat, amount string
	}
	lines, err := collect(ctx, q.q, func(r rows) (line, error) {
		var l line
		err := r.Scan(&l.month, &l.cat, &l.amount)
		return l, err
	}, `SELECT month, category, amount FROM conversation_costs WHERE tenant_id = $1 AND at >= $2
        ORDER BY month, category`, tenantID, microTime(since))
	if err != nil {
		return nil, fmt.Errorf("summing costs: %w", err)
	}
	var out []*recrubo.MonthlyCost
	for _, l := range lines {
		amount, err := decimal.NewFromString(l.amount)
		if err != nil {
			return nil, fmt.Errorf("decoding cost amount: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].Month != l.month || string(out[n-1].Category) != l.cat {
			out = append(out, &recrubo.MonthlyCost{Month: l.month, Category: recrubo.TemplateCategory(l.cat)})
		}
		mc := out[len(out)-1]
		mc.Count++
		mc.Amount = mc.Amount.Add(amount)
	}
	return out, nil
}

// fkNotFoundAs turns a foreign-key violation into ENOTFOUND with a message.
func fkNotFoundAs(err error, format string, args ...any) error {
	if errors.Is(err, errForeignKeyViolation) {
		return recrubo.WrapError(recrubo.ENOTFOUND, err, format, args...)
	}
	return err
}

// EachCost calls fn with each recorded cost of the tenant billed at or
// after from and before to, oldest first.
func (q *queries) EachCost(ctx context.Context, tenantID string, from, to time.Time, fn func(*recrubo.ConversationCost) error) error {
	rs, err := q.q.query(ctx, `SELECT conversation_id, category, amount, at, billing_key, message_key
        FROM conversation_costs WHERE tenant_id = $1 AND at >= $2 AND at < $3
        ORDER BY at, conversation_id, category`, tenantID, microTime(from), microTime(to))
	if err != nil {
		return fmt.Errorf("reading costs: %w", err)
	}
	for rs.Next() {
		c := recrubo.ConversationCost{TenantID: tenantID}
		var amount string
		var at int64
		err := rs.Scan(&c.ConversationID, &c.Category, &amount, &at, &c.ProviderKey, &c.MessageKey)
		if err == nil {
			c.At = timeMicro(at)
			if c.Amount, err = decimal.NewFromString(amount); err != nil {
				err = fmt.Errorf("decoding cost amount: %w", err)
			}
		}
		if err == nil {
			err = fn(&c)
		}
		if err != nil {
			_ = rs.Close()
			return err
		}
	}
	if err := rs.Close(); err != nil {
		return fmt.Errorf("reading costs: %w", err)
	}
	return nil
}
