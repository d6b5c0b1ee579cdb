package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// TestContractShownByDryRunAndTenantShow reads the contract of a tenant on
// the observed profile, whose Carerix lacks stableHash and names the
// activity type toDoTypeKey: the dry run prints it without storing
// anything else, and tenant show prints what was read, and when.
func TestContractShownByDryRunAndTenantShow(t *testing.T) {
	c := newProvisionCLIOn(t, carerixemu.ProfileObserved)
	// Without stableHash the pages need the sign-in, so it needs a client.
	if code, _, errOut := c.run("tenant", "update", "acme", "-f", writeFile(t, "embed.yaml", "embed:\n  signin_client_id: recrubo-signin\n")); code != 0 {
		t.Fatalf("setting the sign-in client: %s", errOut)
	}
	code, out, errOut := c.run("provision", "--tenant", "acme", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run = %d: %s", code, errOut)
	}
	for _, want := range []string{"Carerix API contract:", "by introspection", "stableHash", "toDoTypeKey"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = c.run("tenant", "show", "acme")
	if code != 0 {
		t.Fatalf("tenant show = %d: %s", code, errOut)
	}
	var shown struct {
		Contract *struct {
			ReadAt  string   `json:"read_at"`
			Summary []string `json:"summary"`
		} `json:"carerix_contract"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("tenant show is not JSON: %v\n%s", err, out)
	}
	if shown.Contract == nil || shown.Contract.ReadAt == "" {
		t.Fatalf("tenant show has no contract, or not when it was read:\n%s", out)
	}
	summary := strings.Join(shown.Contract.Summary, "\n")
	for _, want := range []string{"stableHash", "toDoTypeKey"} {
		if !strings.Contains(summary, want) {
			t.Errorf("tenant show's contract lacks %q:\n%s", want, summary)
		}
	}
}
