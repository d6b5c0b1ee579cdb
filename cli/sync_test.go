package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

func TestSyncCommandRunsTheInitialSyncOnce(t *testing.T) {
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(t.Context(), carerixemu.SeedOptions{Candidates: 120, Vacancies: 10, Matches: 200, Recruiters: 3, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	yaml := emuTenant(c, emu)
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
	yaml := emuTenant(c, emu)
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
	if code, _, errOut := c.run("tenant", "update", "acme", "--vacancy-status", "Dicht", "--no-check"); code != 0 {
		t.Fatalf("update with --no-status-check: %s", errOut)
	}
}

// emuTenant returns the acme tenant file for the emulator, both clients
// the emulator's, their secrets set in c's environment.
func emuTenant(c *cli, emu *carerixemu.Server) string {
	c.env["CARERIX_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	c.env["CARERIX_ADMIN_CLIENT_SECRET"] = carerixemu.DefaultClientSecret
	return strings.NewReplacer("https://api.carerix.io", emu.URL(), "https://id-s3.carerix.io", emu.URL(),
		"client_id: reader", "client_id: "+carerixemu.DefaultClientID, "client_id: admin", "client_id: "+carerixemu.DefaultClientID,
		"  client_secret: reader-secret-value-1\n", "", "  client_secret: admin-secret-value-2\n", "").Replace(acmeYAML)
}

// syncCLI is a CLI with the acme tenant on a seeded emulator.
func syncCLI(t *testing.T, seed carerixemu.SeedOptions) (*cli, *carerixemu.Server) {
	t.Helper()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(t.Context(), seed); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	yaml := emuTenant(c, emu)
	if code, _, errOut := c.run("tenant", "add", "-f", writeFile(t, "acme.yaml", yaml)); code != 0 {
		t.Fatalf("tenant add: %s", errOut)
	}
	return c, emu
}

// checkMirror compares the tenant's mirror with what the emulator has in
// scope.
func checkMirror(t *testing.T, c *cli, emu *carerixemu.Server) {
	t.Helper()
	db := openCLIStore(t, c.env)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if diff := synctest.Diff(synctest.Read(t, db, tn.ID), synctest.InScope(t, emu, tn.Filters)); len(diff) > 0 {
		t.Fatalf("the mirror differs from Carerix:\n%s", strings.Join(diff, "\n"))
	}
}

// TestSyncCommandRidesOutRateLimitsAndOutages: bursts of 429s and of 503s,
// each longer than the client's four attempts, in the middle of the walk;
// the command waits, continues after the last applied page, and ends with
// exactly the records in scope. Its output, not a terminal, has plain
// progress lines.
func TestSyncCommandRidesOutRateLimitsAndOutages(t *testing.T) {
	c, emu := syncCLI(t, carerixemu.SeedOptions{Candidates: 900, Vacancies: 60, Matches: 300, Recruiters: 3, Seed: 5})
	emu.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{
		{Op: "crEmployeePage", Skip: 2, Times: 6, Status: 429},
		{Op: "crEmployeePage", Skip: 3, Times: 6, Status: 503}, // counts the requests the 429s let pass
		{Op: "crVacancyPage", Times: 5, Status: 502},
	}})
	code, out, errOut := c.run("sync", "--tenant", "acme", "--retry-for", "2m")
	if code != 0 {
		t.Fatalf("sync = %d\n%s\n%s", code, out, errOut)
	}
	if n := strings.Count(out, "retrying in"); n < 3 {
		t.Errorf("%d retries reported, want at least 3 (one per burst):\n%s", n, out)
	}
	if strings.Contains(out, "\r") {
		t.Errorf("progress written with carriage returns to a non-terminal:\n%q", out)
	}
	if !strings.Contains(out, "Syncing acme: candidates done") {
		t.Errorf("no plain progress line:\n%s", out)
	}
	st := emu.Stats()
	if st.InjectedFailures != 17 {
		t.Errorf("%d injected failures served, want 17", st.InjectedFailures)
	}
	checkMirror(t, c, emu)
	// Continued after the last applied page: every candidate page was read
	// once, apart from the failed requests.
	emp := st.Operations["crEmployeePage"]
	if read := emp.Calls - emp.Failed; read > 900/100+2 {
		t.Errorf("%d candidate pages read for 900 candidates: pages were read again", read)
	}
}

// TestSyncCommandFailsAtOnceOnPermanentErrors: a refused request (400)
// and wrong credentials end the command at once, without retrying, and
// fail the run with the reason.
func TestSyncCommandFailsAtOnceOnPermanentErrors(t *testing.T) {
	c, emu := syncCLI(t, carerixemu.SeedOptions{Candidates: 150, Vacancies: 20, Matches: 40, Recruiters: 2, Seed: 6})
	emu.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crVacancyPage", Times: 100, Status: 400}}})
	code, out, errOut := c.run("sync", "--tenant", "acme")
	if code == 0 || strings.Contains(out, "retrying") {
		t.Fatalf("sync with a refused request = %d\n%s\n%s", code, out, errOut)
	}
	if calls := emu.Stats().Operations["crVacancyPage"].Calls; calls != 1 {
		t.Errorf("the refused request was sent %d times, want once", calls)
	}
	if !strings.Contains(errOut, "bad request") {
		t.Errorf("stderr does not say what Carerix answered: %s", errOut)
	}
	db := openCLIStore(t, c.env)
	tn, _ := db.TenantBySlug(t.Context(), "acme")
	p, err := carerixsync.Progress(t.Context(), db, tn.ID)
	if err != nil || p.State != string(recrubo.RunFailed) || !strings.Contains(p.Error, "bad request") {
		t.Errorf("the run after a permanent failure: %+v %v", p, err)
	}

	emu.SetFaults(carerixemu.Faults{})
	c.env["CARERIX_CLIENT_SECRET"] = "wrong-secret-0123456789"
	if code, _, errOut := c.run("tenant", "update", "acme", "--no-check"); code != 0 {
		t.Fatalf("saving a wrong secret unchecked: %s", errOut)
	}
	code, out, errOut = c.run("sync", "--tenant", "acme")
	if code == 0 || strings.Contains(out, "retrying") || !strings.Contains(errOut, "credentials") {
		t.Fatalf("sync with a wrong secret = %d\n%s\n%s", code, out, errOut)
	}
}

// TestSyncCommandFollowsTheServicesSync: provisioning started the initial
// sync in the service; the command follows it to the end instead of
// saying nothing or running a second one.
func TestSyncCommandFollowsTheServicesSync(t *testing.T) {
	c, emu := syncCLI(t, carerixemu.SeedOptions{Candidates: 1500, Vacancies: 100, Matches: 600, Recruiters: 4, Seed: 7})
	emu.SetFaults(carerixemu.Faults{Latency: 100 * time.Millisecond})
	addr := freeAddr(t)
	startServe(t, map[string]string{"MASTER_KEY": c.env["MASTER_KEY"], "DATA_DIR": c.env["DATA_DIR"], "ADDR": addr,
		"PUBLIC_URL": "http://" + addr, "METRICS_ADDR": "off", "LOG_LEVEL": "warn"})
	db := openCLIStore(t, c.env)
	tn, err := db.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := carerixsync.StartInitial(t.Context(), db, tn.ID); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("sync", "--tenant", "acme")
	if code != 0 {
		t.Fatalf("sync = %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"The service runs the initial sync of acme", "Syncing acme: candidates done", "Initial sync of acme finished", "In scope: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	checkMirror(t, c, emu)
	// One run, by the service: every candidate page was read once.
	if emp := emu.Stats().Operations["crEmployeePage"]; emp.Calls > 1500/100+2 {
		t.Errorf("%d candidate page requests for 1,500 candidates: the sync ran twice", emp.Calls)
	}
}
