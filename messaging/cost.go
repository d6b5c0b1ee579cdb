package messaging

import (
	"context"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// category is the billing category of an outbound message: service for
// free text, the template's category for a template.
func category(ctx context.Context, ds recrubo.DataStore, m *recrubo.Message) (recrubo.TemplateCategory, error) {
	if m.TemplateName == "" {
		return recrubo.CategoryService, nil
	}
	ts, err := ds.Templates(ctx, m.TenantID)
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if t.Name == m.TemplateName && t.Language == m.TemplateLanguage {
			return t.Category, nil
		}
	}
	return recrubo.CategoryMarketing, nil // a removed template: Meta's default category
}

// billable reports whether a status says the message reached WhatsApp:
// sent, delivered or read. A failed message is never billed.
func billable(st recrubo.MessageStatus) bool {
	return st == recrubo.StatusSent || st == recrubo.StatusDelivered || st == recrubo.StatusRead
}

// pricing is what a status webhook said about billing; nil when it carried
// no pricing object.
type pricing struct {
	conversationID string // the provider's conversation id, "" under per-message pricing
	messageID      string // the wamid the status is about
	category       string // pricing.category
	billable       bool
}

// statusPricing is the pricing of a status webhook, nil without one.
func statusPricing(su whatsapp.StatusUpdate) *pricing {
	if su.Category == "" && su.PricingModel == "" {
		return nil
	}
	return &pricing{conversationID: su.ConversationID, messageID: su.MessageID, category: su.Category, billable: su.Billable}
}

// pricingCategory maps the provider's pricing category to ours
// (marketing_lite counts as marketing, authentication_international as
// authentication); ok is false for one we do not know.
func pricingCategory(c string) (recrubo.TemplateCategory, bool) {
	c = strings.ToLower(c)
	for _, cat := range []recrubo.TemplateCategory{recrubo.CategoryMarketing, recrubo.CategoryUtility,
		recrubo.CategoryAuthentication, recrubo.CategoryService} {
		if strings.HasPrefix(c, string(cat)) {
			return cat, true
		}
	}
	return "", false
}

// bill records the cost of m, which a status of st at at says reached
// WhatsApp, unless it is billed already (see the package documentation).
// pr is the status's pricing, nil when it had none. A stored status of
// failed (one that delivered or read did not outrank) is not billed.
func (s *Service) bill(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, m *recrubo.Message,
	st recrubo.MessageStatus, at time.Time, pr *pricing) error {
	if m.Direction != recrubo.Outbound || !billable(st) || m.Status == recrubo.StatusFailed {
		return nil
	}
	if at.IsZero() {
		at = s.now()
	}
	cat, err := category(ctx, tx, m)
	if err != nil {
		return err
	}
	c := &recrubo.ConversationCost{TenantID: tenant.ID, ConversationID: m.ConversationID, Category: cat,
		At: at.In(tenant.Location()), MessageKey: callbackData(m)}
	free := false
	if pr != nil {
		if pc, ok := pricingCategory(pr.category); ok {
			c.Category = pc
		}
		c.ProviderKey = "message:" + pr.messageID
		if pr.conversationID != "" {
			c.ProviderKey = "conversation:" + pr.conversationID
		}
		free = !pr.billable
	}
	if !free {
		rates, err := tx.CostRates(ctx, tenant.ID)
		if err != nil {
			return err
		}
		for _, r := range rates {
			if r.Category == c.Category {
				c.Amount = r.Price
			}
		}
	}
	if _, err := tx.BillConversation(ctx, c, recrubo.ServiceWindow); err != nil {
		return wrap(err, "billing message %s", m.ID)
	}
	return nil
}

// MonthlyCosts returns the tenant's conversation costs by month and
// category, from the start of the month months-1 months ago (in the
// tenant's time zone) on.
func (s *Service) MonthlyCosts(ctx context.Context, tenant *recrubo.Tenant, months int) ([]*recrubo.MonthlyCost, error) {
	if months < 1 {
		months = 1
	}
	now := s.now().In(tenant.Location())
	since := timeMonthStart(now).AddDate(0, -(months - 1), 0)
	return s.store.MonthlyCosts(ctx, tenant.ID, since)
}
