package provisioning_test

import (
	"slices"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store/storetest"
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
	f.provision(t)
	probe := f.probe(t)
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
	again, err := f.runner.Unprovision(t.Context(), f.tenant, false)
	if err != nil || again.Changes() != 0 {
		t.Fatalf("second unprovision: %v\n%s", err, again)
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
