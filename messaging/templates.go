package messaging

import (
	"context"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// DefaultTemplateSyncInterval is how often TemplateSyncLoop reads every
// connected tenant's templates again; status webhooks bring changes in
// between.
const DefaultTemplateSyncInterval = time.Hour

// TemplateSyncJob reads a tenant's templates from its WhatsApp Business
// Account.
type TemplateSyncJob struct {
	TenantID string `json:"tenant_id"`
}

// Kind implements recrubo.JobArgs.
func (TemplateSyncJob) Kind() string { return "whatsapp_template_sync" }

// templateSyncAttempts bounds a sync's attempts; the next periodic sync
// comes anyway.
const templateSyncAttempts = 5

// HandleTemplateSync is the handler of TemplateSyncJob.
func (s *Service) HandleTemplateSync(ctx context.Context, job TemplateSyncJob) error {
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if !tenant.WhatsApp.Enabled() || tenant.WhatsApp.BusinessAccountID == "" {
		return nil // disconnected since
	}
	_, err = s.SyncTemplates(ctx, tenant)
	if isCode(err, recrubo.EINVALID) || isCode(err, recrubo.EUNAUTHORIZED) {
		return jobs.Permanent(err)
	}
	return err
}

// SyncTemplates reads every template of the tenant's WhatsApp Business
// Account (all pages, every status) and makes them the tenant's
// templates; templates gone from the account are removed. It records the
// outcome on the tenant's WhatsApp health, a failure included, and
// returns how many templates the account has.
func (s *Service) SyncTemplates(ctx context.Context, tenant *recrubo.Tenant) (int, error) {
	if err := requireWhatsApp(tenant); err != nil {
		return 0, err
	}
	if tenant.WhatsApp.BusinessAccountID == "" {
		return 0, recrubo.Errorf(recrubo.EINVALID, "The WhatsApp Business Account of %s is not known: connect the number again.", tenant.DisplayName)
	}
	client, err := s.client(tenant)
	if err != nil {
		return 0, err
	}
	remote, err := client.MessageTemplates(ctx, tenant.WhatsApp.BusinessAccountID, 0)
	if err != nil {
		err = providerError(err, "reading the templates of %s", tenant.Slug)
		if serr := s.store.SaveTemplateSync(ctx, tenant.ID, recrubo.TemplateSync{At: s.now(), Error: recrubo.ErrorMessage(err)}); serr != nil {
			s.log.WarnContext(ctx, "recording a failed template sync", "tenant", tenant.ID, "err", serr)
		}
		return 0, err
	}
	now := s.now()
	var ts []*recrubo.MessageTemplate
	for _, r := range remote {
		if t, ok := toTemplate(tenant.ID, r, now); ok {
			ts = append(ts, t)
		}
	}
	added, changed, removed, err := s.store.ReplaceTemplates(ctx, tenant.ID, ts)
	if err != nil {
		return 0, wrap(err, "storing the templates of %s", tenant.Slug)
	}
	if err := s.store.SaveTemplateSync(ctx, tenant.ID, recrubo.TemplateSync{At: now, Count: len(ts)}); err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "templates synced", "tenant", tenant.ID, "templates", len(ts), "added", added,
		"changed", changed, "removed", removed)
	return len(ts), nil
}

// toTemplate converts a provider template; ok is false for one that is
// deleted or cannot be stored (an unknown category).
func toTemplate(tenantID string, r whatsapp.MessageTemplate, at time.Time) (*recrubo.MessageTemplate, bool) {
	status := recrubo.TemplateStatus(strings.ToLower(r.Status))
	if !status.Known() {
		return nil, false // DELETED, or a status the service does not know
	}
	t := &recrubo.MessageTemplate{TenantID: tenantID, Name: r.Name, Language: r.Language,
		Category: recrubo.TemplateCategory(strings.ToLower(r.Category)), Status: status, ProviderID: r.ID, UpdatedAt: at}
	switch t.Category {
	case recrubo.CategoryMarketing, recrubo.CategoryUtility, recrubo.CategoryAuthentication:
	default:
		return nil, false
	}
	if status == recrubo.TemplateRejected && r.RejectedReason != "" && r.RejectedReason != "NONE" {
		t.Reason = r.RejectedReason
	}
	for _, c := range r.Components {
		tc := recrubo.TemplateComponent{Type: strings.ToLower(c.Type), Format: strings.ToLower(c.Format), Text: c.Text}
		if ex := c.Example; ex != nil {
			tc.Examples = append(tc.Examples, ex.HeaderText...)
			if len(ex.BodyText) > 0 {
				tc.Examples = append(tc.Examples, ex.BodyText[0]...)
			}
		}
		for _, b := range c.Buttons {
			tc.Buttons = append(tc.Buttons, recrubo.TemplateButton{Type: strings.ToLower(b.Type), Text: b.Text, URL: b.URL,
				Phone: b.PhoneNumber})
		}
		if tc.Type == recrubo.ComponentBody {
			t.Body = c.Text
		}
		t.Components = append(t.Components, tc)
	}
	if t.Body == "" {
		return nil, false
	}
	return t, true
}

// applyTemplateUpdate applies a message_template_status_update in tx: the
// template's new status and reason. A template the tenant does not have
// yet (made at Meta since the last sync) is read by a sync.
func (s *Service) applyTemplateUpdate(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, u whatsapp.TemplateStatusUpdate) (string, error) {
	status := recrubo.TemplateStatus(strings.ToLower(u.Event))
	if u.Event == "DELETED" || !status.Known() {
		// Deleted, or an event that is no status (archived templates,
		// category changes): the account's listing says what holds.
		return "template " + u.Event + ": sync", tx.Enqueue(ctx, TemplateSyncJob{TenantID: tenant.ID}, &recrubo.JobOptions{UniqueByArgs: true})
	}
	reason := u.Reason
	if reason == "NONE" {
		reason = ""
	}
	at := u.Time
	if at.IsZero() {
		at = s.now()
	}
	found, err := tx.SetTemplateStatus(ctx, tenant.ID, u.Name, u.Language, status, reason, at)
	if err != nil {
		return "", err
	}
	if !found {
		return "unknown template: sync", tx.Enqueue(ctx, TemplateSyncJob{TenantID: tenant.ID}, &recrubo.JobOptions{UniqueByArgs: true})
	}
	return "template " + u.Name + " " + string(status), nil
}

// TemplateSyncLoop enqueues a template sync for every tenant with a
// connected WhatsApp Business Account every interval, until ctx ends.
func (s *Service) TemplateSyncLoop(interval time.Duration) func(ctx context.Context) {
	if interval <= 0 {
		interval = DefaultTemplateSyncInterval
	}
	return func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := s.EnqueueTemplateSyncs(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "scheduling template syncs", "err", err)
			}
		}
	}
}

// EnqueueTemplateSyncs enqueues a template sync for every tenant with a
// connected WhatsApp Business Account; one already waiting is not doubled.
func (s *Service) EnqueueTemplateSyncs(ctx context.Context) error {
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return wrap(err, "listing tenants for template syncs")
	}
	for _, t := range tenants {
		if !t.WhatsApp.Enabled() || t.WhatsApp.BusinessAccountID == "" {
			continue
		}
		if err := s.store.Enqueue(ctx, TemplateSyncJob{TenantID: t.ID}, &recrubo.JobOptions{UniqueByArgs: true}); err != nil {
			return wrap(err, "enqueueing the template sync of %s", t.Slug)
		}
	}
	return nil
}
