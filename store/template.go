package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// templateNameRE is Meta's rule for template names.
var templateNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

const templateColumns = `name, language, category, status, body, variables, provider_id, components, reason, updated_at`

// checkTemplate validates t and counts its variables (the text header's
// and the body's placeholders).
func checkTemplate(t *recrubo.MessageTemplate) error {
	var problems []recrubo.FieldError
	if !templateNameRE.MatchString(t.Name) {
		problems = append(problems, recrubo.FieldError{Field: "name", Message: "must be lowercase letters, digits and underscores"})
	}
	if t.Language == "" {
		problems = append(problems, recrubo.FieldError{Field: "language", Message: "is required"})
	}
	if t.Body == "" {
		problems = append(problems, recrubo.FieldError{Field: "body", Message: "is required"})
	}
	switch t.Category {
	case recrubo.CategoryMarketing, recrubo.CategoryUtility, recrubo.CategoryAuthentication:
	default:
		problems = append(problems, recrubo.FieldError{Field: "category", Message: "must be marketing, utility or authentication"})
	}
	if !t.Status.Known() {
		problems = append(problems, recrubo.FieldError{Field: "status", Message: "is not a template status"})
	}
	if len(problems) > 0 {
		return &recrubo.Error{Code: recrubo.EINVALID, Message: "The template is not valid.", Fields: problems}
	}
	t.Variables = t.CountVariables()
	return nil
}

// saveTemplate stores or replaces t by (name, language) and reports
// whether a new one was added or a stored one changed.
func (q *queries) saveTemplate(ctx context.Context, t *recrubo.MessageTemplate) (added, changed bool, err error) {
	if err := checkTemplate(t); err != nil {
		return false, false, err
	}
	comps := t.Components
	if comps == nil {
		comps = []recrubo.TemplateComponent{}
	}
	cj, err := json.Marshal(comps)
	if err != nil {
		return false, false, fmt.Errorf("encoding template components: %w", err)
	}
	var stored struct {
		category, status, body, providerID, components, reason string
	}
	err = q.q.queryRow(ctx, `SELECT category, status, body, provider_id, components, reason FROM message_templates
        WHERE tenant_id = $1 AND name = $2 AND language = $3`, t.TenantID, t.Name, t.Language).
		Scan(&stored.category, &stored.status, &stored.body, &stored.providerID, &stored.components, &stored.reason)
	switch {
	case isNoRows(err):
		added = true
	case err != nil:
		return false, false, fmt.Errorf("reading template %s: %w", t.Name, err)
	default:
		changed = stored.category != string(t.Category) || stored.status != string(t.Status) || stored.body != t.Body ||
			stored.providerID != t.ProviderID || stored.components != string(cj) || stored.reason != t.Reason
		if !changed {
			return false, false, nil
		}
	}
	updated := q.stamp(t.UpdatedAt)
	_, err = q.q.exec(ctx, `INSERT INTO message_templates (tenant_id, `+templateColumns+`)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (tenant_id, name, language) DO UPDATE SET category = excluded.category,
            status = excluded.status, body = excluded.body, variables = excluded.variables,
            provider_id = excluded.provider_id, components = excluded.components, reason = excluded.reason,
            updated_at = excluded.updated_at`,
		t.TenantID, t.Name, t.Language, string(t.Category), string(t.Status), t.Body, t.Variables, t.ProviderID,
		string(cj), t.Reason, updated)
	if err != nil {
		return false, false, fmt.Errorf("saving template %s: %w", t.Name, fkNotFound(err, t.TenantID))
	}
	t.UpdatedAt = timeMicro(updated)
	q.touch(t.TenantID, ChangeTemplate, t.Name)
	return added, changed, nil
}

// SaveTemplate stores or replaces a template by (name, language). Its
// Variables are counted from its text header and Body.
func (q *queries) SaveTemplate(ctx context.Context, t *recrubo.MessageTemplate) error {
	_, _, err := q.saveTemplate(ctx, t)
	return err
}

// Templates returns the tenant's templates by name and language.
func (q *queries) Templates(ctx context.Context, tenantID string) ([]*recrubo.MessageTemplate, error) {
	ts, err := collect(ctx, q.q, func(r rows) (*recrubo.MessageTemplate, error) {
		t := recrubo.MessageTemplate{TenantID: tenantID}
		var comps string
		var updated int64
		if err := r.Scan(&t.Name, &t.Language, &t.Category, &t.Status, &t.Body, &t.Variables, &t.ProviderID,
			&comps, &t.Reason, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(comps), &t.Components); err != nil {
			return nil, fmt.Errorf("decoding the components of template %s: %w", t.Name, err)
		}
		t.UpdatedAt = timeMicro(updated)
		return &t, nil
	}, `SELECT `+templateColumns+` FROM message_templates WHERE tenant_id = $1 ORDER BY name, language`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("listing templates: %w", err)
	}
	return ts, nil
}

// ReplaceTemplates makes ts the tenant's templates: stored or updated by
// (name, language), the others removed.
func (q *queries) ReplaceTemplates(ctx context.Context, tenantID string, ts []*recrubo.MessageTemplate) (added, changed, removed int, err error) {
	keep := map[[2]string]bool{}
	for _, t := range ts {
		t.TenantID = tenantID
		a, c, err := q.saveTemplate(ctx, t)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("template %s (%s): %w", t.Name, t.Language, err)
		}
		if a {
			added++
		}
		if c {
			changed++
		}
		keep[[2]string{t.Name, t.Language}] = true
	}
	stored, err := q.Templates(ctx, tenantID)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, t := range stored {
		if keep[[2]string{t.Name, t.Language}] {
			continue
		}
		if _, err := q.q.exec(ctx, `DELETE FROM message_templates WHERE tenant_id = $1 AND name = $2 AND language = $3`,
			tenantID, t.Name, t.Language); err != nil {
			return 0, 0, 0, fmt.Errorf("removing template %s: %w", t.Name, err)
		}
		removed++
		q.touch(tenantID, ChangeTemplate, t.Name)
	}
	return added, changed, removed, nil
}

// SetTemplateStatus changes a template's status and reason.
func (q *queries) SetTemplateStatus(ctx context.Context, tenantID, name, language string, status recrubo.TemplateStatus, reason string, at time.Time) (bool, error) {
	if !status.Known() {
		return false, recrubo.Errorf(recrubo.EINVALID, "%q is not a template status.", status)
	}
	n, err := q.q.exec(ctx, `UPDATE message_templates SET status = $4, reason = $5, updated_at = $6
        WHERE tenant_id = $1 AND name = $2 AND language = $3`, tenantID, name, language, string(status), reason, q.stamp(at))
	if err != nil {
		return false, fmt.Errorf("changing the status of template %s: %w", name, err)
	}
	if n == 0 {
		return false, nil
	}
	q.touch(tenantID, ChangeTemplate, name)
	return true, nil
}
