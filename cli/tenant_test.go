package cli

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/internal/clitest"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

const acmeYAML = `slug: acme
display_name: Acme Uitzendbureau
frame_origins: [https://acme.carerix.net]
carerix:
  api_base_url: https://api.carerix.io
  identity_base_url: https://id-s3.carerix.io
  realm: acme
  application: acme
  client_id: reader
  client_secret: reader-secret-value-1
admin:
  client_id: admin
  client_secret: admin-secret-value-2
filters:
  candidate_statuses: [Actief, Nieuw]
  vacancy_statuses: [Open]
`

type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	var key clitest.Buffer
	Run(t.Context(), []string{"keygen"}, clitest.Env(nil), &key, io.Discard)
	return &cli{t: t, env: map[string]string{"MASTER_KEY": strings.TrimSpace(key.String()), "DATA_DIR": t.TempDir()}}
}

func (c *cli) run(args ...string) (int, string, string) {
	var out, errOut clitest.Buffer
	code := Run(c.t.Context(), args, clitest.Env(c.env), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTenantLifecycle(t *testing.T) {
	c := newCLI(t)
	file := writeFile(t, "acme.yaml", acmeYAML)
	if code, out, errOut := c.run("tenant", "add", "--no-check", "-f", file); code != 0 || !strings.Contains(out, "added tenant acme") {
		t.Fatalf("add = %d %q %q", code, out, errOut)
	}
	code, out, _ := c.run("tenant", "list")
	if code != 0 || !strings.Contains(out, "acme") || !strings.Contains(out, "Acme Uitzendbureau") {
		t.Fatalf("list = %d %q", code, out)
	}
	code, out, _ = c.run("tenant", "show", "acme")
	if code != 0 || !strings.Contains(out, `"realm": "acme"`) {
		t.Fatalf("show = %d %q", code, out)
	}
	for _, secret := range []string{"reader-secret-value-1", "admin-secret-value-2"} {
		if strings.Contains(out, secret) {
			t.Errorf("show prints secret %q", secret)
		}
	}
	// Masked, without a single character of the secret.
	if !strings.Contains(out, `"client_secret": "********"`) {
		t.Errorf("show does not mask the client secret:\n%s", out)
	}
	if code, _, errOut := c.run("tenant", "update", "acme", "--name", "Acme B.V.", "--language", "en"); code != 0 {
		t.Fatalf("update failed: %s", errOut)
	}
	_, out, _ = c.run("tenant", "show", "acme")
	if !strings.Contains(out, `"display_name": "Acme B.V."`) || !strings.Contains(out, `"language": "en"`) || !strings.Contains(out, `"client_id": "reader"`) {
		t.Errorf("update did not apply only the given flags:\n%s", out)
	}
	if code, _, errOut := c.run("tenant", "remove", "acme"); code == 0 || !strings.Contains(errOut, "--yes") {
		t.Errorf("remove without --yes = %d %q", code, errOut)
	}
	if code, _, _ := c.run("tenant", "remove", "acme", "--yes"); code != 0 {
		t.Fatal("remove failed")
	}
	if code, _, errOut := c.run("tenant", "show", "acme"); code == 0 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("show after remove = %d %q", code, errOut)
	}
}

func TestTenantBadInputChangesNothing(t *testing.T) {
	c := newCLI(t)
	good := writeFile(t, "acme.yaml", acmeYAML)
	if code, _, errOut := c.run("tenant", "add", "--no-check", "-f", good); code != 0 {
		t.Fatal(errOut)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate slug", []string{"tenant", "add", "--no-check", "-f", good}, "already"},
		{"unknown field", []string{"tenant", "add", "--no-check", "-f", writeFile(t, "x.yaml", acmeYAML+"colour: blue\n")}, "colour"},
		{"unknown json field", []string{"tenant", "add", "--no-check", "-f", writeFile(t, "x.json", `{"slug":"b","nmae":"x"}`)}, "nmae"},
		{"bad url", []string{"tenant", "add", "--no-check", "-f", good, "--slug", "beta", "--api-url", "not a url"}, "carerix.api_base_url"},
		{"bad origin", []string{"tenant", "add", "--no-check", "-f", good, "--slug", "beta", "--origin", "https://acme.carerix.net/path"}, "frame_origins[0]"},
		{"missing secret", []string{"tenant", "add", "--no-check", "-f", writeFile(t, "y.yaml", strings.Replace(acmeYAML, "  client_secret: reader-secret-value-1\n", "", 1)), "--slug", "beta"}, "carerix.client_secret: is required"},
		{"missing file", []string{"tenant", "add", "--no-check", "-f", filepath.Join(t.TempDir(), "nope.yaml")}, "reading tenant file"},
		{"update unknown", []string{"tenant", "update", "nobody", "--name", "x"}, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := c.run(tt.args...)
			if code == 0 {
				t.Fatal("bad input accepted")
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
		})
	}
	_, out, _ := c.run("tenant", "list")
	if strings.Count(out, "\n") != 2 || strings.Contains(out, "beta") {
		t.Errorf("bad input changed the tenant list:\n%s", out)
	}
	delete(c.env, "MASTER_KEY")
	if code, _, errOut := c.run("tenant", "list"); code == 0 || !strings.Contains(errOut, "keygen") {
		t.Errorf("list without master key = %d %q", code, errOut)
	}
}

// TestTenantFileProblemsAllAtOnce: unknown fields in several sections, a
// value of the wrong type and invalid values are all reported, one line
// each, in one run; nothing is saved.
func TestTenantFileProblemsAllAtOnce(t *testing.T) {
	c := newCLI(t)
	bad := strings.NewReplacer("display_name: Acme Uitzendbureau\n", "display_name: Acme\ncolour: blue\n",
		"  realm: acme\n", "  realm: acme\n  relam: acme\n",
		"frame_origins: [https://acme.carerix.net]", "frame_origins: [https://acme.carerix.net/path]",
		"  api_base_url: https://api.carerix.io", "  api_base_url: not a url",
		"filters:\n", "filters:\n  statusses: [Actief]\n").Replace(acmeYAML) + "language: fr\nsync:\n  reconcile_interval: [15m]\n"
	for _, name := range []string{"bad.yaml", "bad.json"} {
		file := bad
		if name == "bad.json" {
			file = `{"slug": "acme", "display_name": "Acme", "colour": "blue", "frame_origins": ["https://acme.carerix.net/path"],
 "carerix": {"api_base_url": "not a url", "identity_base_url": "https://id-s3.carerix.io", "realm": "acme", "relam": "acme",
  "application": "acme", "client_id": "reader", "client_secret": "reader-secret-value-1"},
 "admin": {"client_id": "admin", "client_secret": "admin-secret-value-2"},
 "filters": {"statusses": ["Actief"], "candidate_statuses": ["Actief"], "vacancy_statuses": ["Open"]},
 "language": "fr", "sync": {"reconcile_interval": ["15m"]}}`
		}
		code, _, errOut := c.run("tenant", "add", "--no-check", "-f", writeFile(t, name, file))
		if code == 0 {
			t.Fatalf("%s accepted", name)
		}
		for _, want := range []string{"colour: unknown field", "carerix.relam: unknown field", "filters.statusses: unknown field",
			"reconcile_interval", "frame_origins[0]", "carerix.api_base_url", "language", "tenant not saved: 7 problems"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, want, errOut)
			}
		}
	}
	if _, out, _ := c.run("tenant", "list"); strings.Contains(out, "acme") {
		t.Errorf("a tenant was saved:\n%s", out)
	}
}

// TestTenantCredentialsCheckedNamingTheClient: a wrong secret of either
// client is refused at add, naming that client and where its secret comes
// from (and not suggesting to skip the check); update checks a changed
// secret, and leaves Carerix alone when no access setting changed.
func TestTenantCredentialsCheckedNamingTheClient(t *testing.T) {
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	c := newCLI(t)
	file := writeFile(t, "acme.yaml", emuTenant(c, emu))

	c.env["CARERIX_CLIENT_SECRET"] = "wrong-integration-secret"
	code, _, errOut := c.run("tenant", "add", "-f", file)
	if code == 0 || !strings.Contains(errOut, `integration client "`+carerixemu.DefaultClientID+`"`) ||
		!strings.Contains(errOut, "CARERIX_CLIENT_SECRET") || strings.Contains(errOut, "admin client") || strings.Contains(errOut, "--no") {
		t.Fatalf("add with a wrong integration secret = %d %q", code, errOut)
	}
	c.env["CARERIX_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = "wrong-admin-secret"
	code, _, errOut = c.run("tenant", "add", "-f", file)
	if code == 0 || !strings.Contains(errOut, "admin client") || !strings.Contains(errOut, "CARERIX_ADMIN_CLIENT_SECRET") ||
		strings.Contains(errOut, "integration client") {
		t.Fatalf("add with a wrong admin secret = %d %q", code, errOut)
	}
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	if code, _, errOut := c.run("tenant", "add", "-f", file); code != 0 {
		t.Fatalf("add with good secrets: %s", errOut)
	}

	// A changed admin secret is checked; a wrong one is not saved.
	delete(c.env, "CARERIX_CLIENT_SECRET")
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = "wrong-admin-secret"
	if code, _, errOut := c.run("tenant", "update", "acme"); code == 0 || !strings.Contains(errOut, "admin client") {
		t.Fatalf("update to a wrong admin secret = %d %q", code, errOut)
	}
	// Nothing about access changed: Carerix is not asked.
	delete(c.env, "CARERIX_ADMIN_CLIENT_SECRET")
	before := emu.Stats()
	if code, _, errOut := c.run("tenant", "update", "acme", "--name", "Acme B.V."); code != 0 {
		t.Fatalf("update of the name: %s", errOut)
	}
	if after := emu.Stats(); after.TokenRequests != before.TokenRequests || after.GraphQLRequests != before.GraphQLRequests {
		t.Errorf("an update of the name asked Carerix: %+v then %+v", before, after)
	}
	db := openCLIStore(t, c.env)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil || tn.Admin.ClientSecret.Reveal() != carerixemu.DefaultClientSecret || tn.DisplayName != "Acme B.V." {
		t.Errorf("after the refused update: %v %v", tn, err)
	}
}

// TestTenantWarnsOnEmptyStatusFilters: a tenant without vacancy statuses
// syncs no vacancies and no matches; add and update say so.
func TestTenantWarnsOnEmptyStatusFilters(t *testing.T) {
	c := newCLI(t)
	file := writeFile(t, "acme.yaml", strings.Replace(acmeYAML, "  vacancy_statuses: [Open]\n", "", 1))
	code, _, errOut := c.run("tenant", "add", "--no-check", "-f", file)
	if code != 0 || !strings.Contains(errOut, "filters.vacancy_statuses is empty: no vacancies and no matches will be synced") {
		t.Fatalf("add without vacancy statuses = %d %q", code, errOut)
	}
	if strings.Contains(errOut, "candidate_statuses is empty") {
		t.Errorf("warned about candidate statuses that are set: %q", errOut)
	}
	code, _, errOut = c.run("tenant", "update", "acme", "--no-check", "--vacancy-status", "Open")
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Fatalf("update setting vacancy statuses = %d %q", code, errOut)
	}
}

// TestExampleTenantFile: examples/tenant.yaml adds a tenant as it is (with
// the secrets from the environment), and names every field of a tenant
// file, set or commented out, apart from those the service fills itself.
func TestExampleTenantFile(t *testing.T) {
	const path = "../examples/tenant.yaml"
	c := newCLI(t)
	c.env["CARERIX_CLIENT_SECRET"] = "integration-secret"
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = "admin-secret"
	code, out, errOut := c.run("tenant", "add", "--no-check", "-f", path)
	if code != 0 || errOut != "" {
		t.Fatalf("adding the example = %d %q %q", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	managed := map[string]bool{"id": true, "created_at": true, "updated_at": true, "verified_at": true, "verified_by": true,
		"application_id": true, "public_key_pem": true, "connected_at": true}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || managed[name] {
				continue
			}
			if !regexp.MustCompile(`(?m)^[#\s]*(- )?` + regexp.QuoteMeta(name) + `:`).Match(data) {
				t.Errorf("examples/tenant.yaml lacks %s%s", prefix, name)
			}
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == typ.PkgPath() {
				walk(prefix+name+".", f.Type)
			}
		}
	}
	walk("", reflect.TypeFor[recrubo.Tenant]())
}
