package messaging

import (
	"context"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
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

// bill records the conversation's cost when m, just accepted by the
// provider, opens a billing window (see the package documentation).
func (s *Service) bill(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, m *recrubo.Message) error {
	now := s.now()
	opened, err := tx.OpenBillingWindow(ctx, tenant.ID, m.ConversationID, now, now.Add(recrubo.ServiceWindow))
	if err != nil || !opened {
		return err
	}
	cat, err := category(ctx, tx, m)
	if err != nil {
		return err
	}
	rates, err := tx.CostRates(ctx, tenant.ID)
	if err != nil {
		return err
	}
	price := decimal.Zero
	for _, r := range rates {
		if r.Category == cat {
			price = r.Price
		}
	}
	return tx.AddCost(ctx, tenant.ID, m.ConversationID, cat, price, now.In(tenant.Location()))
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
