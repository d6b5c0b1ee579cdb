package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/verify"
)

const (
	provAdminID     = "admin.apps.carerix.io"
	provAdminSecret = "admin-secret-value-9"
	provPublicURL   = "https://recrubo.example"
)

// provisionCLI is the command line with a tenant pointing at a running
// Carerix emulator that also holds a template and a webhook application
// of the customer's own.
type provisionCLI struct {
	*cli
	emu *carerixemu.Server
	// customerApp is the customer's webhook application.
	customerApp string
}

func newProvisionCLI(t *testing.T, addFlags ...string) *provisionCLI {
	return newProvisionCLIOn(t, carerixemu.ProfileDocs, addFlags...)
}

// newProvisionCLIOn is newProvisionCLI against an emulator of profile p;
// addFlags are given to tenant add.
func newProvisionCLIOn(t *testing.T, p carerixemu.Profile, addFlags ...string) *provisionCLI {
	t.Helper()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: p, Clients: []carerixemu.Client{
		{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret},
		{ID: provAdminID, Secret: provAdminSecret},
	}})
	if _, err := emu.CreateTemplate(t.Context(), carerixemu.TemplateFields{
		Name: carerixemu.Str("Offerte"), Code: carerixemu.Str("acme.offer"),
		Content: carerixemu.Str("<p>Offerte</p>"), TargetEntityName: carerixemu.Str("CRVacancy"),
	}); err != nil {
		t.Fatal(err)
	}
	app, err := emu.Webhooks().CreateApplication(t.Context(), "Acme payroll")
	if err != nil {
		t.Fatal(err)
	}
	c := &provisionCLI{cli: newCLI(t), emu: emu, customerApp: app.ID}
	c.env["PUBLIC_URL"] = provPublicURL
	yaml := fmt.Sprintf(`slug: acme
display_name: Acme Uitzendbureau
frame_origins: [https://acme.carerix.net]
carerix:
  api_base_url: %[1]s
  identity_base_url: %[1]s
  realm: %[2]s
  application: acme
  client_id: %[3]s
  client_secret: %[4]s
admin:
  client_id: %[5]s
  client_secret: %[6]s
`, emu.URL(), emu.Realm(), carerixemu.DefaultClientID, carerixemu.DefaultClientSecret, provAdminID, provAdminSecret)
	if code, _, errOut := c.run(append([]string{"tenant", "add", "-f", writeFile(t, "acme.yaml", yaml)}, addFlags...)...); code != 0 {
		t.Fatalf("adding the tenant: %s", errOut)
	}
	return c
}

// openStore opens the store the commands use.
func (c *provisionCLI) openStore(t *testing.T) *store.DB {
	t.Helper()
	kr, err := keyring.Parse(c.env["MASTER_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), store.Config{
		URL: "sqlite:" + filepath.Join(c.env["DATA_DIR"], "recrubo.db"), DataDir: c.env["DATA_DIR"], Cipher: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// snapshot is what the emulator holds: live templates and activities by
// id (with their modification time) and webhook applications with their
// webhooks.
type snapshot struct {
	templates map[string]string // id → code@modified
	todos     map[string]string // id → subject@modified
	apps      map[string][]string
}

func (c *provisionCLI) snapshot(t *testing.T) snapshot {
	t.Helper()
	s := snapshot{templates: map[string]string{}, todos: map[string]string{}, apps: map[string][]string{}}
	for _, td := range c.emu.ToDos() {
		if !td.Deleted {
			subject := ""
			if td.Subject != nil {
				subject = *td.Subject
			}
			s.todos[td.ID] = subject + "@" + td.ModificationDate.String()
		}
	}
	for _, tr := range c.emu.Templates() {
		if !tr.Deleted {
			code := ""
			if tr.Code != nil {
				code = *tr.Code
			}
			s.templates[tr.ID] = code + "@" + tr.ModificationDate.String()
		}
	}
	for _, a := range c.emu.Webhooks().Applications(t.Context()) {
		hs, err := c.emu.Webhooks().Webhooks(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{a.Name}
		for _, h := range hs {
			ids = append(ids, h.ID+":"+string(h.Status))
		}
		s.apps[a.ID] = ids
	}
	return s
}

func (s snapshot) equal(o snapshot) bool {
	if len(s.templates) != len(o.templates) || len(s.todos) != len(o.todos) || len(s.apps) != len(o.apps) {
		return false
	}
	for id, v := range s.todos {
		if o.todos[id] != v {
			return false
		}
	}
	for id, v := range s.templates {
		if o.templates[id] != v {
			return false
		}
	}
	for id, v := range s.apps {
		if !slices.Equal(o.apps[id], v) {
			return false
		}
	}
	return true
}

// ourCodes counts the live templates carrying our codes.
func (c *provisionCLI) ourCodes() int {
	n := 0
	for _, tr := range c.emu.Templates() {
		if !tr.Deleted && tr.Code != nil && strings.HasPrefix(*tr.Code, provisioning.CodePrefix) {
			n++
		}
	}
	return n
}

// verifyToken takes the token out of the verify link printed in out.
func verifyToken(t *testing.T, out string) string {
	t.Helper()
	prefix := provPublicURL + "/verify/"
	for line := range strings.Lines(out) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok && rest != "" {
			return rest
		}
	}
	t.Fatalf("no verify link under %s in:\n%s", prefix, out)
	return ""
}

func TestProvisionCommands(t *testing.T) {
	c := newProvisionCLI(t)
	before := c.snapshot(t)

	code, out, errOut := c.run("provision", "--tenant", "acme", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run = %d: %s", code, errOut)
	}
	for _, want := range []string{"create", provisioning.CodeInbox, provisioning.CodeVerify, "webhook_application", "cremployee",
		"probe", provisioning.ProbeEntity, "Dry run: 10 changes planned, nothing changed."} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/verify/") {
		t.Errorf("dry run issued a verify link:\n%s", out)
	}
	if !c.snapshot(t).equal(before) {
		t.Fatal("the dry run changed the emulator")
	}

	code, out, errOut = c.run("provision", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("provision = %d: %s\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "Applied 10 changes.") {
		t.Errorf("provision output:\n%s", out)
	}
	first := verifyToken(t, out)
	if n := c.ourCodes(); n != len(provisioning.Codes()) {
		t.Fatalf("%d of our templates installed, want %d", n, len(provisioning.Codes()))
	}
	installed := c.snapshot(t)
	if len(installed.apps) != 2 || len(installed.templates) != len(before.templates)+4 || len(installed.todos) != len(before.todos)+1 {
		t.Fatalf("after provisioning: %d applications, %d templates, %d activities", len(installed.apps), len(installed.templates), len(installed.todos))
	}
	db := c.openStore(t)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	links := &verify.Links{Store: db}
	if got, err := links.Check(t.Context(), first); err != nil || got.ID != tn.ID {
		t.Fatalf("the printed verify link does not work: %v", err)
	}

	code, out, errOut = c.run("provision", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("second provision = %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Nothing changed: everything is up to date.") || strings.Contains(out, "create ") {
		t.Errorf("second run output:\n%s", out)
	}
	if !c.snapshot(t).equal(installed) {
		t.Error("the second run changed the emulator")
	}
	// A rerun hands out the admin's current link again instead of
	// revoking it.
	second := verifyToken(t, out)
	if second != first || !strings.Contains(out, "the current one, still valid until") {
		t.Errorf("a rerun issued another link instead of the current one:\n%s", out)
	}
	if got, err := links.Check(t.Context(), first); err != nil || got.ID != tn.ID {
		t.Errorf("first link after a rerun: %v, want it still valid", err)
	}

	code, out, errOut = c.run("tenant", "verify-link", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("verify-link = %d: %s", code, errOut)
	}
	third := verifyToken(t, out)
	if _, err := links.Check(t.Context(), second); recrubo.ErrorCode(err) != recrubo.EFORBIDDEN {
		t.Errorf("old link after verify-link: %v, want EFORBIDDEN", err)
	}
	if got, err := links.Check(t.Context(), third); err != nil || got.ID != tn.ID {
		t.Fatalf("new link refused: %v", err)
	}

	code, out, errOut = c.run("unprovision", "--tenant", "acme", "--dry-run")
	if code != 0 || !strings.Contains(out, "Dry run: 6 removals planned, nothing changed.") {
		t.Fatalf("unprovision dry run = %d: %s\n%s", code, errOut, out)
	}
	if !c.snapshot(t).equal(installed) {
		t.Fatal("the unprovision dry run changed the emulator")
	}
	delete(c.env, "PUBLIC_URL") // removing needs no public URL
	code, out, errOut = c.run("unprovision", "--tenant", "acme")
	if code != 0 || !strings.Contains(out, "Removed 6 items.") {
		t.Fatalf("unprovision = %d: %s\n%s", code, errOut, out)
	}
	if !c.snapshot(t).equal(before) {
		t.Errorf("unprovision left the emulator differing from before provisioning:\nbefore %v\nafter  %v", before, c.snapshot(t))
	}
	if items, err := db.ProvisionedItems(t.Context(), tn.ID); err != nil || len(items) != 0 {
		t.Errorf("%d provisioned records left (%v)", len(items), err)
	}
	if code, out, _ := c.run("unprovision", "--tenant", "acme"); code != 0 || !strings.Contains(out, "Nothing to remove.") {
		t.Errorf("second unprovision = %d:\n%s", code, out)
	}
}

func TestProvisionBadInputChangesNothing(t *testing.T) {
	c := newProvisionCLI(t)
	before := c.snapshot(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing tenant", nil, []string{"provision"}, `required flag(s) "tenant" not set`},
		{"missing tenant dry run", nil, []string{"provision", "--dry-run"}, `required flag(s) "tenant" not set`},
		{"unknown tenant", nil, []string{"provision", "--tenant", "nobody"}, "does not exist"},
		{"unprovision missing tenant", nil, []string{"unprovision"}, `required flag(s) "tenant" not set`},
		{"unprovision unknown tenant", nil, []string{"unprovision", "--tenant", "nobody"}, "does not exist"},
		{"verify-link missing tenant", nil, []string{"tenant", "verify-link"}, `required flag(s) "tenant" not set`},
		{"verify-link unknown tenant", nil, []string{"tenant", "verify-link", "--tenant", "nobody"}, "does not exist"},
		{"no public url", map[string]string{"PUBLIC_URL": ""}, []string{"provision", "--tenant", "acme"}, "PUBLIC_URL is not set"},
		{"public url not a url", map[string]string{"PUBLIC_URL": "recrubo example"}, []string{"provision", "--tenant", "acme"}, "is not an absolute http(s) URL"},
		{"public url with query", map[string]string{"PUBLIC_URL": "https://recrubo.example/?x=1"}, []string{"provision", "--tenant", "acme"}, "is not an absolute http(s) URL"},
		{"public url plain http", map[string]string{"PUBLIC_URL": "http://recrubo.example"}, []string{"provision", "--tenant", "acme"}, "must use https"},
		{"verify-link bad public url", map[string]string{"PUBLIC_URL": "ftp://recrubo.example"}, []string{"tenant", "verify-link", "--tenant", "acme"}, "is not an absolute http(s) URL"},
		{"no master key", map[string]string{"MASTER_KEY": ""}, []string{"provision", "--tenant", "acme"}, "keygen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &cli{t: t, env: map[string]string{}}
			for k, v := range c.env {
				run.env[k] = v
			}
			for k, v := range tt.env {
				run.env[k] = v
			}
			code, out, errOut := run.run(tt.args...)
			if code == 0 {
				t.Fatalf("bad input accepted:\n%s", out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
			if strings.Contains(out, "/verify/") {
				t.Errorf("a verify link was printed:\n%s", out)
			}
		})
	}
	if !c.snapshot(t).equal(before) {
		t.Error("bad input changed the emulator")
	}
	db := c.openStore(t)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CurrentVerifyLink(t.Context(), tn.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Errorf("a verify link was issued: %v", err)
	}
	if _, err := db.LatestProvisionRun(t.Context(), tn.ID); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Errorf("a provisioning run was recorded: %v", err)
	}
	if items, err := db.ProvisionedItems(t.Context(), tn.ID); err != nil || len(items) != 0 {
		t.Errorf("%d items recorded (%v)", len(items), err)
	}
}

// TestProvisionReportsMissingScope refuses, naming the scope, when the
// admin account cannot manage webhooks, and changes nothing.
func TestProvisionReportsMissingScope(t *testing.T) {
	var scopes []string
	for _, s := range carerixemu.AllScopes() {
		if !strings.Contains(s, "webhooks") {
			scopes = append(scopes, s)
		}
	}
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Clients: []carerixemu.Client{
		{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret},
		{ID: provAdminID, Secret: provAdminSecret, Scopes: scopes},
	}})
	c := &provisionCLI{cli: newCLI(t), emu: emu}
	c.env["PUBLIC_URL"] = provPublicURL
	c.env["CARERIX_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = provAdminSecret
	if code, _, errOut := c.run("tenant", "add", "--slug", "acme", "--name", "Acme", "--origin", "https://acme.carerix.net",
		"--api-url", emu.URL(), "--identity-url", emu.URL(), "--realm", emu.Realm(), "--application", "acme",
		"--client-id", carerixemu.DefaultClientID, "--admin-client-id", provAdminID); code != 0 {
		t.Fatalf("adding the tenant: %s", errOut)
	}
	code, _, errOut := c.run("provision", "--tenant", "acme")
	if code == 0 || !strings.Contains(errOut, "lacks the scope") || !strings.Contains(errOut, "urn:cx/webhooks:") {
		t.Fatalf("provision without the webhooks scope = %d: %s", code, errOut)
	}
	if n := c.ourCodes(); n != 0 {
		t.Errorf("%d templates installed despite the refused access check", n)
	}
}

// TestProvisionInService: provision --in-service hands provisioning to the
// running service as its background job; --status shows the outcome.
func TestProvisionInService(t *testing.T) {
	c := newProvisionCLI(t)
	code, out, _ := c.run("provision", "--tenant", "acme", "--status")
	if code != 0 || !strings.Contains(out, "has not been provisioned yet") {
		t.Fatalf("status before = %d %q", code, out)
	}
	code, out, errOut := c.run("provision", "--tenant", "acme", "--in-service")
	if code != 0 || !strings.Contains(out, "Queued") || strings.Contains(out, "/verify/") {
		t.Fatalf("provision --in-service = %d %q %q", code, out, errOut)
	}
	if _, out, _ := c.run("provision", "--tenant", "acme", "--status"); !strings.Contains(out, "In the service: job") {
		t.Errorf("status with the job waiting: %q", out)
	}
	addr := freeAddr(t)
	startServe(t, map[string]string{"MASTER_KEY": c.env["MASTER_KEY"], "DATA_DIR": c.env["DATA_DIR"], "ADDR": addr,
		"PUBLIC_URL": provPublicURL, "METRICS_ADDR": "off", "LOG_LEVEL": "warn"})
	db := c.openStore(t)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !eventually.True(time.Minute, func() bool {
		run, err := db.LatestProvisionRun(t.Context(), tn.ID)
		return err == nil && run.State == recrubo.ProvisionSucceeded
	}) {
		_, out, _ := c.run("provision", "--tenant", "acme", "--status")
		t.Fatalf("the service did not provision:\n%s", out)
	}
	if n := c.ourCodes(); n != 4 {
		t.Errorf("%d of our templates installed, want 4", n)
	}
	code, out, _ = c.run("provision", "--tenant", "acme", "--status")
	if code != 0 || !strings.Contains(out, "Latest run: provision, succeeded") {
		t.Errorf("status after = %d %q", code, out)
	}
}

func TestRequiredFieldMissingRefusesAddAndProvisionInOneLine(t *testing.T) {
	const want = "Carerix type CREmployee has no field toStatusNode (tried toStatusNode)"
	// tenant add reads the contract and refuses.
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: carerixemu.ProfileHostile})
	c := newCLI(t)
	yaml := fmt.Sprintf("slug: acme\ndisplay_name: Acme\nframe_origins: [https://acme.carerix.net]\ncarerix:\n  api_base_url: %[1]s\n"+
		"  identity_base_url: %[1]s\n  realm: %[2]s\n  application: acme\n  client_id: %[3]s\n  client_secret: %[4]s\n"+
		"admin:\n  client_id: %[3]s\n  client_secret: %[4]s\n", emu.URL(), emu.Realm(), carerixemu.DefaultClientID, carerixemu.DefaultClientSecret)
	code, _, errOut := c.run("tenant", "add", "-f", writeFile(t, "acme.yaml", yaml))
	if code == 0 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("tenant add on a schema without CREmployee.toStatusNode: exit %d, stderr %q; want one line naming it", code, errOut)
	}
	if code, out, _ := c.run("tenant", "list"); code != 0 || strings.Contains(out, "acme") {
		t.Fatalf("a refused tenant was saved:\n%s", out)
	}

	// Saved unchecked, provision reads the contract first and refuses
	// before anything is installed or synced.
	p := newProvisionCLIOn(t, carerixemu.ProfileHostile, "--no-status-check")
	before := p.snapshot(t)
	code, out, errOut := p.run("provision", "--tenant", "acme")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Fatalf("provision: exit %d, stderr %q; want one line naming the field\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "REQUIRED: "+want) {
		t.Errorf("provision did not print the contract and its gap:\n%s", out)
	}
	if after := p.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("provision changed Carerix although it refused:\nbefore %v\nafter  %v", before, after)
	}
	db := p.openStore(t)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if run, err := db.LatestSyncRun(t.Context(), tn.ID, recrubo.SyncInitial); err == nil && run != nil {
		t.Errorf("an initial sync was started: %+v", run)
	}
	k, err := db.CarerixContract(t.Context(), tn.ID)
	if err != nil || k.Problem != want {
		t.Errorf("stored contract problem %v, %v; want %q", k, err, want)
	}
}
