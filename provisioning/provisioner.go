package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/embed"
)

// Store is what provisioning keeps: the tenant (webhook application id and
// key) and its records of what exists in Carerix.
type Store interface {
	recrubo.TenantStore
	recrubo.ProvisionStore
	recrubo.ContractStore
}

// Provisioner plans and applies a tenant's templates and webhooks.
type Provisioner struct {
	Store Store
	// PublicURL is the service's public base URL, framed by Carerix and
	// called by its webhooks.
	PublicURL string
	// AdminRoles are the user roles that see the verify template;
	// DefaultAdminRoles when empty.
	AdminRoles []string
}

// state is what exists now: our records and what Carerix holds.
type state struct {
	items     map[string]*recrubo.ProvisionedItem // kind:key → item
	templates map[string][]carerix.TemplateReference
	app       *carerix.WebhookApplication // ours (see ownApplication)
	hooks     []carerix.Webhook           // of app only
	// foreignApp is the tenant's configured application id when it names
	// an application that is not ours.
	foreignApp string
	probe      *carerix.ToDo // our integration check activity, if it exists
	// activities is false where the tenant's Carerix API has no
	// activities (its contract): there is no check activity to keep.
	activities bool
}

func itemKey(kind recrubo.ProvisionKind, key string) string { return string(kind) + ":" + key }

// ProofMode is how t's framed pages prove their viewer: the tenant's
// choice, or the URL proof where its Carerix API gives stableHash, else
// sign-in through its Carerix realm. A mode that needs the sign-in while
// the tenant has no sign-in client is EINVALID, saying why and what to
// set.
func ProofMode(ctx context.Context, t *recrubo.Tenant, c Admin) (recrubo.EmbedProofMode, error) {
	k, err := c.Contract(ctx)
	if err != nil {
		return "", Explain("reading the tenant's Carerix API contract", err)
	}
	mode := t.Embed.ProofFor(k.HasStableHash())
	if mode != recrubo.ProofURL && t.Embed.SignInClientID == "" {
		why := "the tenant's Carerix API gives no stableHash, which the URL proof of Recrubo's pages needs"
		if t.Embed.Proof != "" {
			why = fmt.Sprintf("the tenant's proof mode is %q", t.Embed.Proof)
		}
		return "", recrubo.Errorf(recrubo.EINVALID, "Recrubo's pages in Carerix need sign-in through the tenant's Carerix realm (%s), "+
			"but no sign-in client is set: create a public client in Carerix (Identity Access > Clients) with redirect URI "+
			"PUBLIC_URL%s and set embed.signin_client_id.", why, embed.CallbackPath)
	}
	return mode, nil
}

// CheckAccess proves the admin credentials work and carry the scopes
// provisioning needs, by reading templates and webhook applications. A
// missing scope is named in the error.
func CheckAccess(ctx context.Context, c Admin) error {
	if _, err := c.TemplateReferencePage(ctx, carerix.PageRequest{Size: 1}); err != nil {
		return Explain("reading document templates", err)
	}
	if _, err := c.WebhookApplications(ctx); err != nil {
		return Explain("reading webhook applications", err)
	}
	return nil
}

// Explain turns a Carerix error into a domain error an operator can act
// on: rejected credentials, or the scope the admin account lacks.
func Explain(what string, err error) error {
	var ce *carerix.Error
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch ce.Kind {
	case carerix.ErrUnauthenticated:
		return recrubo.WrapError(recrubo.EUNAUTHORIZED, err, "Carerix refused the admin credentials while %s; check the admin client id and secret.", what)
	case carerix.ErrMissingScope:
		scope := ce.Scope
		if len(ce.Scopes) > 1 {
			scope = strings.Join(ce.Scopes, " or ")
		}
		if scope == "" {
			scope = "(not named by Carerix)"
		}
		return recrubo.WrapError(recrubo.EFORBIDDEN, err, "The admin account lacks the scope %s needed for %s.", scope, what)
	case carerix.ErrForbidden:
		return recrubo.WrapError(recrubo.EFORBIDDEN, err, "Carerix refused %s for the admin account.", what)
	case carerix.ErrRateLimited, carerix.ErrServer:
		return recrubo.WrapError(recrubo.EUNAVAILABLE, err, "Carerix is not available for %s; try again later.", what)
	case carerix.ErrContract:
		return recrubo.WrapError(recrubo.EINVALID, err, "The tenant's Carerix API lacks what Recrubo needs: %s.", carerix.ContractProblem(err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// load reads our records and the Carerix side.
func (p *Provisioner) load(ctx context.Context, t *recrubo.Tenant, c Admin) (*state, error) {
	items, err := p.Store.ProvisionedItems(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	st := &state{items: map[string]*recrubo.ProvisionedItem{}, templates: map[string][]carerix.TemplateReference{}}
	for _, it := range items {
		st.items[itemKey(it.Kind, it.Key)] = it
	}
	k, err := c.Contract(ctx)
	if err != nil {
		return nil, Explain("reading the tenant's Carerix API contract", err)
	}
	code, err := k.Path("CRTemplateReference", "code")
	if err != nil {
		return nil, Explain("reading document templates", err)
	}
	st.activities = !k.Lacks(carerix.EffectActivities)
	q, err := carerix.In(code, Codes()...).Build()
	if err != nil {
		return nil, err
	}
	for r := (carerix.PageRequest{Qualifier: q, Size: carerix.MaxPageSize}); ; r.Page++ {
		page, err := c.TemplateReferencePage(ctx, r)
		if err != nil {
			return nil, Explain("reading document templates", err)
		}
		for _, tr := range page.Items {
			if strings.HasPrefix(tr.Code, CodePrefix) { // never a customer's template
				st.templates[tr.Code] = append(st.templates[tr.Code], tr)
			}
		}
		if page.Last || len(page.Items) == 0 {
			break
		}
	}
	if st.activities {
		if err := st.loadProbe(ctx, c); err != nil {
			return nil, err
		}
	}
	apps, err := c.WebhookApplications(ctx)
	if err != nil {
		return nil, Explain("reading webhook applications", err)
	}
	st.app = ownApplication(t, apps, st.items[itemKey(recrubo.ProvisionWebhookApp, appKey)])
	for _, a := range apps {
		if a.ID == t.Webhook.ApplicationID && (st.app == nil || a.ID != st.app.ID) {
			st.foreignApp = a.ID
		}
	}
	if st.app != nil {
		if st.hooks, err = c.Webhooks(ctx, st.app.ID); err != nil {
			return nil, Explain("reading webhooks", err)
		}
	}
	return st, nil
}

// ownApplication finds our webhook application among apps: the one we
// recorded, else the first named exactly ApplicationName(t). The tenant's
// configured application id alone never makes an application ours (it may
// name one of the customer's), so the customer's applications and their
// webhooks are never changed or removed.
func ownApplication(t *recrubo.Tenant, apps []carerix.WebhookApplication, rec *recrubo.ProvisionedItem) *carerix.WebhookApplication {
	if rec != nil && rec.RemoteID != "" {
		for i := range apps {
			if apps[i].ID == rec.RemoteID {
				return &apps[i]
			}
		}
	}
	for i := range apps {
		if apps[i].Name == ApplicationName(t) {
			return &apps[i]
		}
	}
	return nil
}

// pick returns the template of code that we recorded, else the first.
func (st *state) pick(code string) (carerix.TemplateReference, []carerix.TemplateReference, bool) {
	found := st.templates[code]
	if len(found) == 0 {
		return carerix.TemplateReference{}, nil, false
	}
	best := 0
	if it := st.items[itemKey(recrubo.ProvisionTemplate, code)]; it != nil {
		for i, tr := range found {
			if tr.ID == it.RemoteID {
				best = i
			}
		}
	}
	var extra []carerix.TemplateReference
	for i, tr := range found {
		if i != best {
			extra = append(extra, tr)
		}
	}
	return found[best], extra, true
}

// templateDiff says why tr differs from want, or "" if it does not. The
// content counts as unchanged when its marker carries want's hash and the
// hash of its body, recomputed after normalizing line endings and
// trailing whitespace, matches too: a Carerix that stores the body
// slightly differently does not cause a rewrite on every run.
func templateDiff(tr carerix.TemplateReference, want Template) string {
	content := tr.Content
	if content == "" {
		content = tr.RawContent
	}
	marker := TemplateHash(content)
	switch {
	case marker == "":
		return "edited in Carerix"
	case marker != want.Hash:
		return "new version"
	case storedHash(content, want) != want.Hash:
		return "edited in Carerix"
	case tr.Name != want.Name, tr.TargetEntityName != want.Target, tr.UserRolesString != want.Roles:
		return "settings changed"
	case !tr.IsActive:
		return "inactive"
	}
	return ""
}

// Plan compares what should exist with what does, changing nothing.
func (p *Provisioner) Plan(ctx context.Context, t *recrubo.Tenant, c Admin) (*Plan, error) {
	mode, err := ProofMode(ctx, t, c)
	if err != nil {
		return nil, err
	}
	want, err := Templates(t, p.PublicURL, p.AdminRoles, mode)
	if err != nil {
		return nil, err
	}
	if t.Webhook.Secret.Reveal() == "" {
		return nil, recrubo.Errorf(recrubo.EINVALID, "Tenant %s has no webhook secret.", t.Slug)
	}
	st, err := p.load(ctx, t, c)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	for _, w := range want {
		tr, extra, ok := st.pick(w.Code)
		switch {
		case !ok:
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionTemplate, Key: w.Code, Action: Create})
		case templateDiff(tr, w) != "":
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionTemplate, Key: w.Code, Action: Update, RemoteID: tr.ID, Why: templateDiff(tr, w)})
		default:
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionTemplate, Key: w.Code, Action: Unchanged, RemoteID: tr.ID})
		}
		for _, x := range extra {
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionTemplate, Key: w.Code, Action: Delete, RemoteID: x.ID, Why: "duplicate"})
		}
	}
	if st.activities {
		plan.Steps = append(plan.Steps, st.probeStep())
	}
	if st.app == nil {
		step := Step{Kind: recrubo.ProvisionWebhookApp, Key: appKey, Action: Create}
		if st.foreignApp != "" {
			step.Why = "configured application " + st.foreignApp + " is not ours; left alone"
		}
		plan.Steps = append(plan.Steps, step)
		for _, d := range desiredHooks(t, p.PublicURL) {
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionWebhook, Key: d.entity, Action: Create})
		}
		return plan, nil
	}
	plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionWebhookApp, Key: appKey, Action: Unchanged, RemoteID: st.app.ID})
	// st.hooks are the webhooks of our own application only, so a stale
	// one is always ours to delete.
	used := map[string]bool{}
	for _, d := range desiredHooks(t, p.PublicURL) {
		plan.Steps = append(plan.Steps, st.hookStep(d, used))
	}
	for _, h := range st.hooks {
		if !used[h.ID] {
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionWebhook, Key: "stale", Action: Delete, RemoteID: h.ID, Why: "not ours any more"})
		}
	}
	return plan, nil
}

// hookStep plans one webhook: it is found by our record, else by its
// filters, in our own application only.
func (st *state) hookStep(d desiredHook, used map[string]bool) Step {
	step := Step{Kind: recrubo.ProvisionWebhook, Key: d.entity, Action: Create}
	rec := st.items[itemKey(recrubo.ProvisionWebhook, d.entity)]
	var found *carerix.Webhook
	for i, h := range st.hooks {
		if !used[h.ID] && rec != nil && h.ID == rec.RemoteID {
			found = &st.hooks[i]
		}
	}
	if found == nil {
		for i, h := range st.hooks {
			if !used[h.ID] && sameFilters(h, d) {
				found = &st.hooks[i]
				break
			}
		}
	}
	if found == nil {
		return step
	}
	used[found.ID] = true
	step.RemoteID = found.ID
	secret, hasHeader := headerValue(*found, WebhookSecretHeader)
	same := found.URL == d.req.URL && sameFilters(*found, d) && hasHeader
	if same {
		if secret != "" && !strings.Contains(secret, "*") {
			same = hookHash(found.URL, found.Filters, secret) == d.hash
		} else { // Carerix did not show the value: trust our record of it
			same = rec != nil && rec.Hash == d.hash
		}
	}
	switch {
	case !same:
		step.Action, step.Why = Replace, "settings changed"
	case found.Status != carerix.WebhookEnabled:
		step.Action, step.Why = Enable, "status "+string(found.Status)
	default:
		step.Action = Unchanged
	}
	return step
}

// Apply carries out plan. Every item is recorded as soon as Carerix
// confirms it, so a failure part-way leaves an accurate record and
// running Plan and Apply again completes the work.
func (p *Provisioner) Apply(ctx context.Context, t *recrubo.Tenant, c Admin, plan *Plan) error {
	mode, err := ProofMode(ctx, t, c)
	if err != nil {
		return err
	}
	want, err := Templates(t, p.PublicURL, p.AdminRoles, mode)
	if err != nil {
		return err
	}
	byCode := map[string]Template{}
	for _, w := range want {
		byCode[w.Code] = w
	}
	hooks := map[string]desiredHook{}
	for _, d := range desiredHooks(t, p.PublicURL) {
		hooks[d.entity] = d
	}
	appID := ""
	for _, s := range plan.Steps {
		if s.Kind == recrubo.ProvisionWebhookApp {
			appID = s.RemoteID
		}
	}
	for _, s := range plan.Steps {
		var err error
		switch s.Kind {
		case recrubo.ProvisionTemplate:
			err = p.applyTemplate(ctx, t, c, s, byCode[s.Key])
		case recrubo.ProvisionProbe:
			err = p.applyProbe(ctx, t, c, s)
		case recrubo.ProvisionWebhookApp:
			appID, err = p.applyApp(ctx, t, c, s)
		case recrubo.ProvisionWebhook:
			err = p.applyHook(ctx, t, c, appID, s, hooks[s.Key])
		}
		if err != nil {
			return fmt.Errorf("%s %s %s: %w", s.Action, s.Kind, s.Key, err)
		}
	}
	return nil
}

func (p *Provisioner) record(ctx context.Context, t *recrubo.Tenant, kind recrubo.ProvisionKind, key, remoteID, parentID, hash string) error {
	return p.Store.SaveProvisionedItem(ctx, &recrubo.ProvisionedItem{
		TenantID: t.ID, Kind: kind, Key: key, RemoteID: remoteID, ParentID: parentID, Hash: hash})
}

func templateRequest(w Template) carerix.TemplateReferenceRequest {
	active, embedded, menu := true, true, true
	return carerix.TemplateReferenceRequest{
		Name: &w.Name, Code: &w.Code, TargetEntityName: &w.Target,
		Content: &w.Content, RawContent: &w.Content, UserRolesString: &w.Roles,
		IsActive: &active, IsEmbedded: &embedded, ShowInMenu: &menu,
	}
}

func (p *Provisioner) applyTemplate(ctx context.Context, t *recrubo.Tenant, c Admin, s Step, w Template) error {
	switch s.Action {
	case Create:
		tr, err := c.CreateTemplateReference(ctx, templateRequest(w))
		if err != nil {
			return Explain("creating a document template", err)
		}
		return p.record(ctx, t, recrubo.ProvisionTemplate, s.Key, tr.ID, "", w.Hash)
	case Update:
		if _, err := c.UpdateTemplateReference(ctx, s.RemoteID, templateRequest(w)); err != nil {
			return Explain("updating a document template", err)
		}
		return p.record(ctx, t, recrubo.ProvisionTemplate, s.Key, s.RemoteID, "", w.Hash)
	case Unchanged:
		return p.record(ctx, t, recrubo.ProvisionTemplate, s.Key, s.RemoteID, "", w.Hash)
	case Delete:
		if err := c.DeleteTemplateReference(ctx, s.RemoteID); err != nil && !errors.Is(err, carerix.ErrNotFound) {
			return Explain("deleting a document template", err)
		}
		if s.Why != "duplicate" {
			return p.Store.DeleteProvisionedItem(ctx, t.ID, recrubo.ProvisionTemplate, s.Key)
		}
	}
	return nil
}

func (p *Provisioner) applyApp(ctx context.Context, t *recrubo.Tenant, c Admin, s Step) (string, error) {
	id := s.RemoteID
	switch s.Action {
	case Create:
		app, err := c.CreateWebhookApplication(ctx, ApplicationName(t))
		if err != nil {
			return "", Explain("creating the webhook application", err)
		}
		id = app.ID
	case Delete:
		if err := c.DeleteWebhookApplication(ctx, id); err != nil && !errors.Is(err, carerix.ErrNotFound) {
			return "", Explain("deleting the webhook application", err)
		}
		for _, kind := range []recrubo.ProvisionKind{recrubo.ProvisionWebhookApp} {
			if err := p.Store.DeleteProvisionedItem(ctx, t.ID, kind, appKey); err != nil {
				return "", err
			}
		}
		return "", p.setApplication(ctx, t, "", "")
	}
	if err := p.record(ctx, t, recrubo.ProvisionWebhookApp, appKey, id, "", ""); err != nil {
		return "", err
	}
	key, err := c.WebhookSignatureKey(ctx, id)
	if err != nil {
		return "", Explain("reading the webhook signature key", err)
	}
	return id, p.setApplication(ctx, t, id, key.PublicKey)
}

// setApplication stores the webhook application id and public key on the
// tenant when they changed.
func (p *Provisioner) setApplication(ctx context.Context, t *recrubo.Tenant, id, publicKey string) error {
	if t.Webhook.ApplicationID == id && t.Webhook.PublicKeyPEM == publicKey {
		return nil
	}
	return p.updateTenant(ctx, t, "saving the webhook application on the tenant", func(cur *recrubo.Tenant) bool {
		cur.Webhook.ApplicationID, cur.Webhook.PublicKeyPEM = id, publicKey
		return true
	})
}

// clearVerified forgets the admin's verification of t (as stored: the
// verify page marks it, maybe in another process): what was verified is
// being removed.
func (p *Provisioner) clearVerified(ctx context.Context, t *recrubo.Tenant) error {
	return p.updateTenant(ctx, t, "clearing the tenant's verification", func(cur *recrubo.Tenant) bool {
		if cur.VerifiedAt.IsZero() && cur.VerifiedBy == "" {
			return false
		}
		cur.VerifiedAt, cur.VerifiedBy = time.Time{}, ""
		return true
	})
}

// updateTenant applies change to a fresh copy of t, so no other setting is
// lost, saves it when change reports a change, and copies it back into t.
func (p *Provisioner) updateTenant(ctx context.Context, t *recrubo.Tenant, what string, change func(*recrubo.Tenant) bool) error {
	cur, err := p.Store.TenantByID(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if change(cur) {
		if err := p.Store.UpdateTenant(ctx, cur); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	*t = *cur
	return nil
}

func (p *Provisioner) applyHook(ctx context.Context, t *recrubo.Tenant, c Admin, appID string, s Step, d desiredHook) error {
	switch s.Action {
	case Replace, Delete:
		if err := c.DeleteWebhook(ctx, appID, s.RemoteID); err != nil && !errors.Is(err, carerix.ErrNotFound) {
			return Explain("deleting a webhook", err)
		}
		if s.Action == Delete {
			if s.Key == "stale" {
				return nil
			}
			return p.Store.DeleteProvisionedItem(ctx, t.ID, recrubo.ProvisionWebhook, s.Key)
		}
		fallthrough
	case Create:
		h, err := c.CreateWebhook(ctx, appID, d.req)
		if err != nil {
			return Explain("creating a webhook", err)
		}
		if h.Status != "" && h.Status != carerix.WebhookEnabled {
			if err := c.EnableWebhook(ctx, appID, h.ID); err != nil {
				return Explain("enabling a webhook", err)
			}
		}
		return p.record(ctx, t, recrubo.ProvisionWebhook, s.Key, h.ID, appID, d.hash)
	case Enable:
		if err := c.EnableWebhook(ctx, appID, s.RemoteID); err != nil {
			return Explain("enabling a webhook", err)
		}
	}
	return p.record(ctx, t, recrubo.ProvisionWebhook, s.Key, s.RemoteID, appID, d.hash)
}

// UnprovisionPlan lists what unprovisioning removes: our templates (by our
// record or our code), our integration check activity (by our record) and
// our webhook application with its webhooks (by our record or its name;
// never the customer's application the tenant may be configured with).
func (p *Provisioner) UnprovisionPlan(ctx context.Context, t *recrubo.Tenant, c Admin) (*Plan, error) {
	st, err := p.load(ctx, t, c)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	for _, code := range Codes() {
		for _, tr := range st.templates[code] {
			plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionTemplate, Key: code, Action: Delete, RemoteID: tr.ID})
		}
	}
	if st.probe != nil {
		plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionProbe, Key: ProbeKey, Action: Delete, RemoteID: st.probe.ID})
	}
	if st.app != nil {
		plan.Steps = append(plan.Steps, Step{Kind: recrubo.ProvisionWebhookApp, Key: appKey, Action: Delete, RemoteID: st.app.ID})
	}
	return plan, nil
}

// Unprovision removes what plan lists and forgets every record of it. It
// first clears the tenant's verification (VerifiedAt, VerifiedBy): once
// anything is removed the integration is no longer what the admin
// verified. Revoking the verify link is the Runner's part.
func (p *Provisioner) Unprovision(ctx context.Context, t *recrubo.Tenant, c Admin, plan *Plan) error {
	if err := p.clearVerified(ctx, t); err != nil {
		return err
	}
	for _, s := range plan.Steps {
		var err error
		switch s.Kind {
		case recrubo.ProvisionTemplate:
			err = p.applyTemplate(ctx, t, c, s, Template{})
		case recrubo.ProvisionProbe:
			err = p.applyProbe(ctx, t, c, s)
		case recrubo.ProvisionWebhookApp:
			_, err = p.applyApp(ctx, t, c, s)
		}
		if err != nil {
			return fmt.Errorf("%s %s %s: %w", s.Action, s.Kind, s.Key, err)
		}
	}
	items, err := p.Store.ProvisionedItems(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("reading the provisioned items: %w", err)
	}
	for _, it := range items { // records of items already gone from Carerix
		if err := p.Store.DeleteProvisionedItem(ctx, t.ID, it.Kind, it.Key); err != nil {
			return fmt.Errorf("forgetting %s %s: %w", it.Kind, it.Key, err)
		}
	}
	return p.setApplication(ctx, t, "", "")
}

// Record stores a finished run with its plan (nil when planning was not
// reached) and error. A failed run records the message an operator can act
// on (see runError).
func (p *Provisioner) Record(ctx context.Context, t *recrubo.Tenant, action string, started time.Time, plan *Plan, runErr error) error {
	run := &recrubo.ProvisionRun{TenantID: t.ID, Action: action, State: recrubo.ProvisionSucceeded,
		StartedAt: started, FinishedAt: time.Now()}
	if plan != nil {
		run.Summary = plan.String()
	}
	if runErr != nil {
		run.State, run.Error = recrubo.ProvisionFailed, runError(runErr)
	}
	if err := p.Store.SaveProvisionRun(ctx, run); err != nil {
		return fmt.Errorf("recording the %s run: %w", action, err)
	}
	return nil
}

// runError is what a failed run records: the safe message of an
// application error (e.g. which scope the admin account lacks), or the
// whole error when it carries no such message.
func runError(err error) string {
	if recrubo.ErrorCode(err) == recrubo.EINTERNAL {
		return err.Error()
	}
	return recrubo.ErrorMessage(err)
}
