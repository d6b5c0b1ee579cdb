package main

import (
	"fmt"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

func TestSyncCommandRunsTheInitialSyncOnce(t *testing.T) {
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 120, Vacancies: 10, Matches: 200, Recruiters: 3, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.env["CARERIX_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = "admin-secret-value-2"
	yaml := strings.NewReplacer("https://api.carerix.io", emu.URL(), "https://id-s3.carerix.io", emu.URL(),
		"client_id: reader", "client_id: "+carerixemu.DefaultClientID, "  client_secret: reader-secret-value-1\n", "").Replace(acmeYAML)
	if code, _, errOut := c.run("tenant", "add", "-f", writeFile(t, "acme.yaml", yaml)); code != 0 {
		t.Fatalf("tenant add: %s", errOut)
	}
	code, out, errOut := c.run("sync", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("sync = %d\n%s\n%s", code, out, errOut)
	}
	w := synctest.InScope(t, emu, recrubo.StatusFilters{CandidateStatuses: []string{"Actief", "Nieuw"}, VacancyStatuses: []string{"Open"}})
	want := fmt.Sprintf("In scope: %d candidates, %d vacancies, %d matches, %d recruiters.",
		len(w.Candidates), len(w.Vacancies), len(w.Matches), len(w.Recruiters))
	if !strings.Contains(out, want) || !strings.Contains(out, "records") {
		t.Fatalf("sync printed\n%s\nwant a progress bar and %q", out, want)
	}
	code, out, _ = c.run("sync", "--tenant", "acme")
	if code != 0 || !strings.Contains(out, "already finished") || !strings.Contains(out, want) {
		t.Fatalf("second sync = %d\n%s", code, out)
	}
}

func TestSyncCommandRefusesBadInput(t *testing.T) {
	c := newCLI(t)
	if code, _, errOut := c.run("sync"); code == 0 || !strings.Contains(errOut, "tenant") {
		t.Errorf("sync without --tenant = %d %q", code, errOut)
	}
	if code, _, errOut := c.run("sync", "--tenant", "nope"); code == 0 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("sync of an unknown tenant = %d %q", code, errOut)
	}
}

// TestTenantStatusFiltersAreCheckedWhenSet: a status the Carerix account
// does not have is refused when the filter is set, naming the statuses it
// has; nothing is saved.
func TestTenantStatusFiltersAreCheckedWhenSet(t *testing.T) {
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	c := newCLI(t)
	c.env["CARERIX_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = "admin-secret-value-2"
	yaml := strings.NewReplacer("https://api.carerix.io", emu.URL(), "https://id-s3.carerix.io", emu.URL(),
		"client_id: reader", "client_id: "+carerixemu.DefaultClientID, "  client_secret: reader-secret-value-1\n", "").Replace(acmeYAML)
	file := writeFile(t, "acme.yaml", yaml)

	code, _, errOut := c.run("tenant", "add", "-f", file, "--candidate-status", "Actief", "--candidate-status", "Slapend")
	if code == 0 || !strings.Contains(errOut, `"Slapend"`) || !strings.Contains(errOut, "This Carerix account has:") ||
		!strings.Contains(errOut, "Actief") {
		t.Fatalf("add with an unknown status = %d %q; want a refusal naming it and the account's statuses", code, errOut)
	}
	if code, _, _ := c.run("tenant", "show", "acme"); code == 0 {
		t.Fatal("the refused tenant was saved")
	}
	if code, _, errOut := c.run("tenant", "add", "-f", file); code != 0 {
		t.Fatalf("add with known statuses: %s", errOut)
	}
	if code, _, errOut := c.run("tenant", "update", "acme", "--vacancy-status", "Dicht"); code == 0 || !strings.Contains(errOut, `"Dicht"`) {
		t.Fatalf("update to an unknown vacancy status = %d %q", code, errOut)
	}
	if code, _, errOut := c.run("tenant", "update", "acme", "--name", "Acme B.V."); code != 0 {
		t.Fatalf("an update leaving the filters alone: %s", errOut)
	}
	_, out, _ := c.run("tenant", "show", "acme")
	if strings.Contains(out, "Dicht") || !strings.Contains(out, "Acme B.V.") {
		t.Fatalf("after the refused update:\n%s", out)
	}
	// Saved unchecked on request.
	if code, _, errOut := c.run("tenant", "update", "acme", "--vacancy-status", "Dicht", "--no-status-check"); code != 0 {
		t.Fatalf("update with --no-status-check: %s", errOut)
	}
}
