package provisioning_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/verify"
)

func TestProvisioning(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			for name, fn := range map[string]func(*testing.T, string){
				"FreshInstallThenRerunChangesNothing": testFreshInstall,
				"OneChangedTemplateIsRewritten":       testOneTemplateChanged,
				"CustomerTemplatesUntouched":          testCustomerTemplates,
				"Unprovision":                         testUnprovision,
				"MissingScopeIsNamed":                 testMissingScope,
				"PartialFailureRerunCompletes":        testPartialFailure,
				"DisabledWebhookIsEnabled":            testDisabledWebhook,
				"DeletedProbeIsCreatedAgain":          testDeletedProbe,
				"CustomerActivitiesUntouched":         testCustomerActivities,
				"OlderInstallGetsProbe":               testOlderInstall,
				"CustomerApplicationConfigured":       testCustomerApplication,
				"NormalizedTemplateIsUnchanged":       testNormalizedTemplate,
				"PlanShownBeforeApplying":             testPlanBeforeApply,
				"RerunKeepsTheVerifyLink":             testRerunKeepsLink,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, backend)
				})
			}
		})
	}
}

func testFreshInstall(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	out := f.provision(t)
	if got := out.Plan.Count(provisioning.Create); got != 4+1+1+4 {
		t.Fatalf("fresh install created %d items, want 10:\n%s", got, out.Plan)
	}
	tpls := f.templatesByCode()
	for _, code := range provisioning.Codes() {
		tr, ok := tpls[code]
		if !ok {
			t.Fatalf("template %s not installed", code)
		}
		if !strings.Contains(*tr.Content, publicURL+"/embed/acme/") {
			t.Errorf("template %s does not frame our pages:\n%s", code, *tr.Content)
		}
	}
	if roles := tpls[provisioning.CodeVerify].UserRolesString; roles == nil || *roles != "Administrator" {
		t.Errorf("verify template roles = %v, want Administrator", roles)
	}
	if apps, hooks := f.webhookCount(t); apps != 1 || hooks != 4 {
		t.Fatalf("webhooks: %d applications, %d webhooks; want 1 and 4", apps, hooks)
	}
	var filters []string
	for _, a := range f.emu.Webhooks().Applications(t.Context()) {
		hs, _ := f.emu.Webhooks().Webhooks(t.Context(), a.ID)
		for _, h := range hs {
			for _, fl := range h.Filters {
				filters = append(filters, fl.EventType)
			}
			if h.URL != publicURL+"/webhooks/carerix/acme" || (len(h.Filters) != 3 && len(h.Filters) != 1) {
				t.Errorf("webhook %s: url %s, %d filters", h.ID, h.URL, len(h.Filters))
			}
			if len(h.CustomHeaders) != 1 || h.CustomHeaders[0].Name != provisioning.WebhookSecretHeader ||
				h.CustomHeaders[0].Value != f.tenant.Webhook.Secret.Reveal() {
				t.Errorf("webhook %s headers = %+v", h.ID, h.CustomHeaders)
			}
		}
	}
	slices.Sort(filters)
	want := []string{"cremployee:created", "cremployee:deleted", "cremployee:updated", "crmatch:created", "crmatch:deleted",
		"crmatch:updated", "crtodo:updated", "crvacancy:created", "crvacancy:deleted", "crvacancy:updated"}
	if !slices.Equal(filters, want) {
		t.Errorf("subscribed events = %v, want %v", filters, want)
	}
	probe := f.probe(t)
	if probe.Deleted || probe.Subject == nil || *probe.Subject != provisioning.ProbeSubject ||
		probe.Notes == nil || !strings.Contains(*probe.Notes, "webhooks") {
		t.Errorf("probe activity = %+v", probe)
	}
	stored, err := f.db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Webhook.ApplicationID == "" || !strings.Contains(stored.Webhook.PublicKeyPEM, "PUBLIC KEY") {
		t.Errorf("tenant webhook settings not stored: %+v", stored.Webhook)
	}
	items, err := f.db.ProvisionedItems(t.Context(), f.tenant.ID)
	if err != nil || len(items) != 10 {
		t.Fatalf("recorded %d items (%v), want 10", len(items), err)
	}
	run, err := f.db.LatestProvisionRun(t.Context(), f.tenant.ID)
	if err != nil || run.State != recrubo.ProvisionSucceeded || !strings.Contains(run.Summary, "recrubo.inbox") {
		t.Fatalf("latest run = %+v, %v", run, err)
	}

	before := f.emu.Templates()
	again := f.provision(t)
	if again.Plan.Changes() != 0 {
		t.Fatalf("second run planned changes:\n%s", again.Plan)
	}
	if s, ok := again.Plan.Step(recrubo.ProvisionProbe, provisioning.ProbeKey); !ok || s.Action != provisioning.Unchanged || s.RemoteID != probe.ID {
		t.Errorf("second run probe step = %+v", s)
	}
	if todos := f.emu.ToDos(); len(todos) != 1 || !todos[0].ModificationDate.Equal(probe.ModificationDate) {
		t.Errorf("second run touched the probe or made another: %+v", todos)
	}
	after := f.emu.Templates()
	for i := range before {
		if !before[i].ModificationDate.Equal(after[i].ModificationDate) {
			t.Errorf("template %s was rewritten by an idempotent run", before[i].ID)
		}
	}
	if apps, hooks := f.webhookCount(t); apps != 1 || hooks != 4 {
		t.Fatalf("after rerun: %d applications, %d webhooks", apps, hooks)
	}
}

func testOneTemplateChanged(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	f.provision(t)
	before := f.templatesByCode()
	// Someone edits our vacancy template in Carerix.
	if _, err := f.emu.UpdateTemplate(t.Context(), before[provisioning.CodeVacancy].ID,
		carerixemu.TemplateFields{Content: str("<p>edited</p>")}); err != nil {
		t.Fatal(err)
	}
	edited := f.templatesByCode()
	out := f.provision(t)
	if out.Plan.Changes() != 1 || out.Plan.Count(provisioning.Update) != 1 {
		t.Fatalf("plan after one edit:\n%s", out.Plan)
	}
	if s, _ := out.Plan.Step(recrubo.ProvisionTemplate, provisioning.CodeVacancy); s.Action != provisioning.Update {
		t.Fatalf("vacancy template step = %+v", s)
	}
	after := f.templatesByCode()
	for code, tr := range after {
		if code != provisioning.CodeVacancy && !tr.ModificationDate.Equal(edited[code].ModificationDate) {
			t.Errorf("unchanged template %s was rewritten", code)
		}
	}
	if *after[provisioning.CodeVacancy].Content != *before[provisioning.CodeVacancy].Content {
		t.Error("vacancy template not restored")
	}
	// A new public URL changes every template.
	f.runner.Provisioner.PublicURL = "https://new.recrubo.example"
	out = f.provision(t)
	if got := out.Plan.Count(provisioning.Update); got != 4 {
		t.Fatalf("after a public URL change %d templates updated, want 4:\n%s", got, out.Plan)
	}
	if got := out.Plan.Count(provisioning.Replace); got != 4 {
		t.Fatalf("after a public URL change %d webhooks replaced, want 4:\n%s", got, out.Plan)
	}
}

func testCustomerTemplates(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	own, err := f.emu.CreateTemplate(t.Context(), carerixemu.TemplateFields{
		Name: str("Sollicitatiebevestiging"), Code: str("acme.confirm"), TargetEntityName: str("CREmployee"),
		Content: str("<p>Bedankt</p>")})
	if err != nil {
		t.Fatal(err)
	}
	f.provision(t)
	if _, err := f.runner.Unprovision(t.Context(), f.tenant, false); err != nil {
		t.Fatal(err)
	}
	got, err := f.emu.Template(own.ID)
	if err != nil || got.Deleted || !got.ModificationDate.Equal(own.ModificationDate) || *got.Content != "<p>Bedankt</p>" {
		t.Fatalf("customer template touched: %+v, %v", got, err)
	}
}

func testUnprovision(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	link := token(t, f.provision(t).VerifyURL)
	probe := f.probe(t)
	// The admin verified the integration (the verify page writes the
	// stored tenant, not ours).
	verified, err := f.db.TenantByID(t.Context(), f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	verified.VerifiedAt, verified.VerifiedBy = time.Now(), "bea"
	if err := f.db.UpdateTenant(t.Context(), verified); err != nil {
		t.Fatal(err)
	}
	if _, err := f.links.Check(t.Context(), link); err != nil {
		t.Fatalf("verify link refused before unprovisioning: %v", err)
	}
	plan, err := f.runner.Unprovision(t.Context(), f.tenant, false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Count(provisioning.Delete) != 6 {
		t.Fatalf("unprovision plan:\n%s", plan)
	}
	if s, ok := plan.Step(recrubo.ProvisionProbe, provisioning.ProbeKey); !ok || s.RemoteID != probe.ID {
		t.Errorf("unprovision probe step = %+v", s)
	}
	for _, td := range f.emu.ToDos() {
		if !td.Deleted {
			t.Errorf("activity %s left after unprovisioning", td.ID)
		}
	}
	if n := len(f.templatesByCode()); n != 0 {
		t.Errorf("%d templates left", n)
	}
	if apps, hooks := f.webhookCount(t); apps != 0 || hooks != 0 {
		t.Errorf("%d applications and %d webhooks left", apps, hooks)
	}
	items, _ := f.db.ProvisionedItems(t.Context(), f.tenant.ID)
	if len(items) != 0 {
		t.Errorf("%d records left", len(items))
	}
	stored, _ := f.db.TenantBySlug(t.Context(), "acme")
	if stored.Webhook.ApplicationID != "" || stored.Webhook.PublicKeyPEM != "" {
		t.Errorf("tenant still names the application: %+v", stored.Webhook)
	}
	if !stored.VerifiedAt.IsZero() || stored.VerifiedBy != "" {
		t.Errorf("tenant still marked verified (%s by %q) after unprovisioning", stored.VerifiedAt, stored.VerifiedBy)
	}
	if _, err := f.links.Check(t.Context(), link); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Errorf("verify link after unprovisioning: %v, want EFORBIDDEN", err)
	}
	if u, _, err := f.links.Current(t.Context(), f.tenant); err != nil || u != "" {
		t.Errorf("a current verify link after unprovisioning: %q, %v", u, err)
	}
	if run, err := f.db.LatestProvisionRun(t.Context(), f.tenant.ID); err != nil || run.Action != "unprovision" || run.State != recrubo.ProvisionSucceeded {
		t.Errorf("latest run = %+v, %v; want a succeeded unprovision", run, err)
	}
	again, err := f.runner.Unprovision(t.Context(), f.tenant, false)
	if err != nil || again.Changes() != 0 {
		t.Fatalf("second unprovision: %v\n%s", err, again)
	}
	// Provisioning again issues a fresh link, which works.
	fresh := f.provision(t)
	if !fresh.VerifyIssued {
		t.Error("provisioning after unprovisioning reused a revoked link")
	}
	if _, err := f.links.Check(t.Context(), token(t, fresh.VerifyURL)); err != nil {
		t.Errorf("new link after reprovisioning refused: %v", err)
	}
}

func testMissingScope(t *testing.T, backend string) {
	var scopes []string
	for _, s := range carerixemu.AllScopes() {
		if !strings.Contains(s, "webhooks") {
			scopes = append(scopes, s)
		}
	}
	f := newFixture(t, backend, scopes)
	_, err := f.runner.Provision(t.Context(), f.tenant, false)
	if recrubo.ErrorCode(err) != recrubo.EFORBIDDEN || !strings.Contains(recrubo.ErrorMessage(err), "urn:cx/webhooks:") {
		t.Fatalf("error = %v (%s), want EFORBIDDEN naming a webhooks scope", err, recrubo.ErrorMessage(err))
	}
	if n := len(f.templatesByCode()); n != 0 {
		t.Errorf("%d templates created despite the failed access check", n)
	}
}

func testPartialFailure(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	// Only the first two items are applied, as when the process dies.
	c, err := f.runner.Connect(f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := f.runner.Provisioner.Plan(t.Context(), f.tenant, c)
	if err != nil {
		t.Fatal(err)
	}
	plan.Steps = plan.Steps[:2] // stop after two items, as a crash would
	if err := f.runner.Provisioner.Apply(t.Context(), f.tenant, c, plan); err != nil {
		t.Fatal(err)
	}
	items, _ := f.db.ProvisionedItems(t.Context(), f.tenant.ID)
	if len(items) != 2 {
		t.Fatalf("%d items recorded after a partial run, want 2", len(items))
	}
	out := f.provision(t)
	if out.Plan.Count(provisioning.Unchanged) != 2 || out.Plan.Count(provisioning.Create) != 8 {
		t.Fatalf("rerun plan:\n%s", out.Plan)
	}
	if len(f.templatesByCode()) != 4 {
		t.Fatal("rerun did not complete the templates")
	}
	if f.provision(t).Plan.Changes() != 0 {
		t.Fatal("third run still has changes")
	}
}

func testDisabledWebhook(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	f.provision(t)
	app := f.emu.Webhooks().Applications(t.Context())[0]
	hs, _ := f.emu.Webhooks().Webhooks(t.Context(), app.ID)
	if err := f.emu.Webhooks().SetWebhookStatus(t.Context(), app.ID, hs[0].ID, "disabled"); err != nil {
		t.Fatal(err)
	}
	out := f.provision(t)
	if out.Plan.Count(provisioning.Enable) != 1 || out.Plan.Changes() != 1 {
		t.Fatalf("plan with a disabled webhook:\n%s", out.Plan)
	}
	h, _ := f.emu.Webhooks().Webhook(t.Context(), app.ID, hs[0].ID)
	if h.Status != "enabled" {
		t.Fatalf("webhook status %s after provisioning", h.Status)
	}
}

func testDeletedProbe(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	f.provision(t)
	old := f.probe(t)
	// Someone deletes the probe in Carerix.
	if err := f.emu.DeleteToDo(t.Context(), old.ID); err != nil {
		t.Fatal(err)
	}
	out := f.provision(t)
	if out.Plan.Changes() != 1 || out.Plan.Count(provisioning.Create) != 1 {
		t.Fatalf("plan with a deleted probe:\n%s", out.Plan)
	}
	fresh := f.probe(t)
	if fresh.ID == old.ID || fresh.Deleted {
		t.Fatalf("probe after rerun = %+v", fresh)
	}
	if f.provision(t).Plan.Changes() != 0 {
		t.Fatal("third run still has changes")
	}
}

func testCustomerActivities(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	own, err := f.emu.CreateToDo(t.Context(), carerixemu.ToDoFields{Subject: str(provisioning.ProbeSubject), Notes: str("mine")})
	if err != nil {
		t.Fatal(err)
	}
	f.provision(t)
	if probe := f.probe(t); probe.ID == own.ID {
		t.Fatal("provisioning adopted a customer's activity as its probe")
	}
	if _, err := f.runner.Unprovision(t.Context(), f.tenant, false); err != nil {
		t.Fatal(err)
	}
	got, err := f.emu.ToDo(own.ID)
	if err != nil || got.Deleted || !got.ModificationDate.Equal(own.ModificationDate) || *got.Notes != "mine" {
		t.Fatalf("customer activity touched: %+v, %v", got, err)
	}
}

// testOlderInstall provisions as before the probe existed (no probe, no
// crtodo webhook); a rerun adds exactly those two.
func testOlderInstall(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	c, err := f.runner.Connect(f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := f.runner.Provisioner.Plan(t.Context(), f.tenant, c)
	if err != nil {
		t.Fatal(err)
	}
	var old []provisioning.Step
	for _, s := range plan.Steps {
		if s.Kind != recrubo.ProvisionProbe && s.Key != provisioning.ProbeEntity {
			old = append(old, s)
		}
	}
	plan.Steps = old
	if err := f.runner.Provisioner.Apply(t.Context(), f.tenant, c, plan); err != nil {
		t.Fatal(err)
	}
	if len(f.emu.ToDos()) != 0 {
		t.Fatal("the old plan created an activity")
	}
	out := f.provision(t)
	if out.Plan.Changes() != 2 {
		t.Fatalf("rerun on an older install:\n%s", out.Plan)
	}
	for _, k := range []struct {
		kind recrubo.ProvisionKind
		key  string
	}{{recrubo.ProvisionProbe, provisioning.ProbeKey}, {recrubo.ProvisionWebhook, provisioning.ProbeEntity}} {
		if s, _ := out.Plan.Step(k.kind, k.key); s.Action != provisioning.Create {
			t.Errorf("step %s %s = %+v, want create", k.kind, k.key, s)
		}
	}
	f.probe(t)
}

// testCustomerApplication: the tenant is configured with the customer's
// own webhook application (application_id). Provisioning creates an
// application of its own; neither provisioning nor unprovisioning changes
// the customer's application or its webhooks.
func testCustomerApplication(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	ctx := t.Context()
	hooks := f.emu.Webhooks()
	theirs, err := hooks.CreateApplication(ctx, "Acme payroll")
	if err != nil {
		t.Fatal(err)
	}
	// Subscribed to what we subscribe to, so only ownership keeps it apart.
	req := webhooks.WebhookRequest{URL: "https://payroll.acme.example/carerix"}
	for _, a := range []string{"created", "updated", "deleted"} {
		req.Filters = append(req.Filters, webhooks.Filter{EventType: "cremployee:" + a})
	}
	if _, err := hooks.CreateWebhook(ctx, theirs.ID, req); err != nil {
		t.Fatal(err)
	}
	customer := func() string {
		t.Helper()
		app, err := hooks.Application(ctx, theirs.ID)
		if err != nil {
			return "application gone: " + err.Error()
		}
		hs, err := hooks.Webhooks(ctx, theirs.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := app.Name
		for _, h := range hs {
			s += fmt.Sprintf("|%s %s %s %v", h.ID, h.URL, h.Status, h.Filters)
		}
		return s
	}
	before := customer()
	cur, err := f.db.TenantByID(ctx, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.Webhook.ApplicationID = theirs.ID
	if err := f.db.UpdateTenant(ctx, cur); err != nil {
		t.Fatal(err)
	}
	*f.tenant = *cur

	out := f.provision(t)
	if s, _ := out.Plan.Step(recrubo.ProvisionWebhookApp, "app"); s.Action != provisioning.Create || !strings.Contains(s.Why, "not ours") {
		t.Fatalf("application step = %+v, want create (the configured one is not ours):\n%s", s, out.Plan)
	}
	if out.Plan.Count(provisioning.Delete) != 0 {
		t.Fatalf("provisioning planned deletions:\n%s", out.Plan)
	}
	if got := customer(); got != before {
		t.Fatalf("customer application changed by provisioning:\nbefore %s\nafter  %s", before, got)
	}
	stored, err := f.db.TenantByID(ctx, f.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := hooks.Application(ctx, stored.Webhook.ApplicationID)
	if err != nil || ours.ID == theirs.ID || ours.Name != provisioning.ApplicationName(f.tenant) {
		t.Fatalf("tenant's application = %+v (%v), want our own", ours, err)
	}
	if hs, _ := hooks.Webhooks(ctx, ours.ID); len(hs) != 4 {
		t.Errorf("our application has %d webhooks, want 4", len(hs))
	}
	if again := f.provision(t); again.Plan.Changes() != 0 {
		t.Fatalf("rerun planned changes:\n%s", again.Plan)
	}

	if _, err := f.runner.Unprovision(ctx, f.tenant, false); err != nil {
		t.Fatal(err)
	}
	if got := customer(); got != before {
		t.Fatalf("customer application changed by unprovisioning:\nbefore %s\nafter  %s", before, got)
	}
	if apps := hooks.Applications(ctx); len(apps) != 1 || apps[0].ID != theirs.ID {
		t.Errorf("applications after unprovisioning = %+v, want only the customer's", apps)
	}
}

// testNormalizedTemplate: Carerix hands a template back with CRLF line
// endings, trailing blanks and no final newline; it is still unchanged,
// and a real edit is still found.
func testNormalizedTemplate(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	f.provision(t)
	inbox := f.templatesByCode()[provisioning.CodeInbox]
	crlf := strings.TrimSuffix(strings.ReplaceAll(*inbox.Content, "\n", " \r\n"), " \r\n")
	if _, err := f.emu.UpdateTemplate(t.Context(), inbox.ID, carerixemu.TemplateFields{Content: &crlf}); err != nil {
		t.Fatal(err)
	}
	stored := f.templatesByCode()[provisioning.CodeInbox]
	if *stored.Content != crlf || !strings.Contains(*stored.Content, "\r\n") {
		t.Fatal("the emulator did not keep the CRLF body")
	}
	out := f.provision(t)
	if s, _ := out.Plan.Step(recrubo.ProvisionTemplate, provisioning.CodeInbox); s.Action != provisioning.Unchanged {
		t.Fatalf("inbox template with CRLF line endings: %+v, want unchanged", s)
	}
	if out.Plan.Changes() != 0 {
		t.Fatalf("plan:\n%s", out.Plan)
	}
	if after := f.templatesByCode()[provisioning.CodeInbox]; !after.ModificationDate.Equal(stored.ModificationDate) {
		t.Error("the normalized template was rewritten")
	}
	// A real edit below the marker is still an edit.
	edited := strings.Replace(crlf, "\r\n", "\r\n<p>extra</p>\r\n", 1)
	if _, err := f.emu.UpdateTemplate(t.Context(), inbox.ID, carerixemu.TemplateFields{Content: &edited}); err != nil {
		t.Fatal(err)
	}
	out = f.provision(t)
	if s, _ := out.Plan.Step(recrubo.ProvisionTemplate, provisioning.CodeInbox); s.Action != provisioning.Update || s.Why != "edited in Carerix" {
		t.Fatalf("edited inbox template: %+v, want an update", s)
	}
}

// testPlanBeforeApply: the plan is handed out (and so printed by the
// command) after the access check and before anything changes.
func testPlanBeforeApply(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	var planned *provisioning.Plan
	templates, apps, todos := -1, -1, -1
	f.runner.OnPlan = func(p *provisioning.Plan) {
		planned, templates, todos = p, len(f.templatesByCode()), len(f.emu.ToDos())
		apps, _ = f.webhookCount(t)
	}
	out := f.provision(t)
	if planned != out.Plan || planned.Changes() != 10 {
		t.Fatalf("OnPlan got %v, want the run's plan", planned)
	}
	if templates != 0 || apps != 0 || todos != 0 {
		t.Errorf("when the plan was shown Carerix already had %d templates, %d applications, %d activities", templates, apps, todos)
	}
	if len(f.templatesByCode()) != 4 {
		t.Error("the plan was not applied")
	}
}

// testRerunKeepsLink: a rerun hands out the admin's current verify link
// instead of revoking it, until it is about to expire.
func testRerunKeepsLink(t *testing.T, backend string) {
	f := newFixture(t, backend, nil)
	first := f.provision(t)
	if !first.VerifyIssued || first.VerifyURL == "" {
		t.Fatalf("first run: issued %v, link %q", first.VerifyIssued, first.VerifyURL)
	}
	if d := time.Until(first.VerifyExpiresAt); d < verify.LinkTTL-time.Minute || d > verify.LinkTTL {
		t.Errorf("new link expires in %s, want %s", d, verify.LinkTTL)
	}
	// A rerun that changes a template keeps the link too.
	inbox := f.templatesByCode()[provisioning.CodeInbox]
	if _, err := f.emu.UpdateTemplate(t.Context(), inbox.ID, carerixemu.TemplateFields{Content: str("<p>edited</p>")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{1, 0} {
		out := f.provision(t)
		if out.Plan.Changes() != want || out.VerifyIssued || out.VerifyURL != first.VerifyURL ||
			!out.VerifyExpiresAt.Equal(first.VerifyExpiresAt) {
			t.Fatalf("rerun (%d changes): issued %v, link %q, expires %s; want the first link",
				out.Plan.Changes(), out.VerifyIssued, out.VerifyURL, out.VerifyExpiresAt)
		}
	}
	if _, err := f.links.Check(t.Context(), token(t, first.VerifyURL)); err != nil {
		t.Fatalf("first link after reruns: %v", err)
	}
	// Within a day of its expiry the link is replaced.
	late := func() time.Time { return time.Now().Add(verify.LinkTTL - time.Hour) }
	f.links.Now, f.runner.Now = late, late
	out := f.provision(t)
	if !out.VerifyIssued || out.VerifyURL == first.VerifyURL {
		t.Fatalf("link an hour from expiry was handed out again: %q", out.VerifyURL)
	}
	if _, err := f.links.Check(t.Context(), token(t, first.VerifyURL)); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Errorf("replaced link: %v, want EFORBIDDEN", err)
	}
	if _, err := f.links.Check(t.Context(), token(t, out.VerifyURL)); err != nil {
		t.Errorf("new link refused: %v", err)
	}
}
