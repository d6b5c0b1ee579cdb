package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	var key syncBuffer
	run(t.Context(), []string{"keygen"}, envOf(nil), &key, io.Discard)
	return &cli{t: t, env: map[string]string{"MASTER_KEY": strings.TrimSpace(key.String()), "DATA_DIR": t.TempDir()}}
}

func (c *cli) run(args ...string) (int, string, string) {
	var out, errOut syncBuffer
	code := run(c.t.Context(), args, envOf(c.env), &out, &errOut)
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
	if code, out, errOut := c.run("tenant", "add", "--no-status-check", "-f", file); code != 0 || !strings.Contains(out, "added tenant acme") {
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
	if !strings.Contains(out, "********-1") {
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
	if code, _, errOut := c.run("tenant", "add", "--no-status-check", "-f", good); code != 0 {
		t.Fatal(errOut)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate slug", []string{"tenant", "add", "--no-status-check", "-f", good}, "already"},
		{"unknown field", []string{"tenant", "add", "--no-status-check", "-f", writeFile(t, "x.yaml", acmeYAML+"colour: blue\n")}, "colour"},
		{"unknown json field", []string{"tenant", "add", "--no-status-check", "-f", writeFile(t, "x.json", `{"slug":"b","nmae":"x"}`)}, "nmae"},
		{"bad url", []string{"tenant", "add", "--no-status-check", "-f", good, "--slug", "beta", "--api-url", "not a url"}, "carerix.api_base_url"},
		{"bad origin", []string{"tenant", "add", "--no-status-check", "-f", good, "--slug", "beta", "--origin", "https://acme.carerix.net/path"}, "frame_origins[0]"},
		{"missing secret", []string{"tenant", "add", "--no-status-check", "-f", writeFile(t, "y.yaml", strings.Replace(acmeYAML, "  client_secret: reader-secret-value-1\n", "", 1)), "--slug", "beta"}, "carerix.client_secret: is required"},
		{"missing file", []string{"tenant", "add", "--no-status-check", "-f", filepath.Join(t.TempDir(), "nope.yaml")}, "reading tenant file"},
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
