package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/clitest"
	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// TestMain removes the binary the process tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds the production command, cmd/recrubo-carerix, once per
// test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "recrubo-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binDir, binPath = dir, filepath.Join(dir, "recrubo-carerix")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/recrubo/recrubo-carerix/cmd/recrubo-carerix").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// service is a serve process started from the built binary.
type service struct {
	cmd  *exec.Cmd
	logs *clitest.Buffer
	done chan error
}

// startServe starts `recrubo-carerix serve` as a child process with env and
// waits until it answers /readyz.
func startServe(t *testing.T, env map[string]string) *service {
	t.Helper()
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	s := &service{cmd: cmd, logs: &clitest.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + env["ADDR"] + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve exited (%v):\n%s", err, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready:\n%s", s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown, no cleanup.
func (s *service) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// TestInitialSyncSurvivesKill9 kills a real service process with SIGKILL
// while its initial-sync job runs, starts a new one on the same database,
// and expects the sync to continue from its checkpoints (not start over)
// and to finish with exactly the records in scope. Times are logged.
func TestInitialSyncSurvivesKill9(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testInitialSyncSurvivesKill9(t, backend)
		})
	}
}

func testInitialSyncSurvivesKill9(t *testing.T, backend string) {
	ctx := t.Context()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	if _, err := emu.Seed(ctx, carerixemu.SeedOptions{Candidates: 2500, Vacancies: 300, Matches: 1500, Recruiters: 5, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	// Slow pages, so the sync is still running when the process dies.
	emu.SetFaults(carerixemu.Faults{Latency: 150 * time.Millisecond})

	c := newCLI(t)
	senv := storetest.NewEnv(t, backend)
	if backend == storetest.Postgres {
		senv.Open(t) // creates and migrates the schema the service then uses
		// DATA_DIR stays a temporary directory: without it the service
		// would create ./data beside the test.
		c.env["DATABASE_URL"] = senv.URL + sep(senv.URL) + "search_path=" + senv.Schema
	}
	yaml := emuTenant(c, emu)
	if code, _, errOut := c.run("tenant", "add", "-f", writeFile(t, "acme.yaml", yaml)); code != 0 {
		t.Fatalf("tenant add: %s", errOut)
	}

	db := openCLIStore(t, c.env)
	tenant, err := db.TenantBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	serveEnv := map[string]string{
		"MASTER_KEY": c.env["MASTER_KEY"], "ADDR": addr, "PUBLIC_URL": "http://" + addr, "METRICS_ADDR": "off",
		"LOG_FORMAT": "text", "LOG_LEVEL": "warn", "JOB_RESCUE_AFTER": "10s",
	}
	for _, k := range []string{"DATA_DIR", "DATABASE_URL"} {
		if v := c.env[k]; v != "" {
			serveEnv[k] = v
		}
	}
	first := startServe(t, serveEnv)
	if _, started, err := carerixsync.StartInitial(ctx, db, tenant.ID); err != nil || !started {
		t.Fatalf("starting the initial sync: %v %v", started, err)
	}
	progress := func() *carerixsync.SyncProgress {
		t.Helper()
		p, err := carerixsync.Progress(ctx, db, tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if !eventually.True(2*time.Minute, func() bool { p := progress(); return p.Records >= 500 }) {
		t.Fatalf("the service's initial sync did not get going: %+v\n%s", progress(), first.logs.String())
	}
	first.kill(t)
	killedAt := time.Now()
	atKill := progress()
	callsAtKill := emu.Stats().Operations["crEmployeePage"].Calls
	if atKill.State != string(recrubo.RunRunning) || atKill.Records >= atKill.Total {
		t.Fatalf("killed too late: %+v", atKill)
	}
	js, err := db.ActiveJobs(ctx, carerixsync.InitialArgs{}.Kind())
	if err != nil || len(js) != 1 || js[0].State != "running" {
		t.Fatalf("the initial sync's job after the kill: %+v %v; want one, still marked running", js, err)
	}

	second := startServe(t, serveEnv)
	var resumedAt time.Time
	if !eventually.True(5*time.Minute, func() bool {
		p := progress()
		if resumedAt.IsZero() && p.Records > atKill.Records {
			resumedAt = time.Now()
		}
		return p.State == string(recrubo.RunSucceeded)
	}) {
		t.Fatalf("the sync did not finish after the restart: %+v\n%s", progress(), second.logs.String())
	}
	finishedAt := time.Now()
	t.Logf("%s: killed at %d of %d records; resumed %s after the kill, finished %s after it",
		backend, atKill.Records, atKill.Total, resumedAt.Sub(killedAt).Round(100*time.Millisecond), finishedAt.Sub(killedAt).Round(100*time.Millisecond))

	// Exactly what is in scope, nothing more or less.
	want := synctest.InScope(t, emu, tenant.Filters)
	if diff := synctest.Diff(synctest.Read(t, db, tenant.ID), want); len(diff) > 0 {
		t.Fatalf("the mirror differs from Carerix after the restarted sync:\n%s", strings.Join(diff, "\n"))
	}
	final := progress()
	for _, e := range final.Entities {
		if e.Entity == recrubo.EntityCandidate && e.Records != int64(len(want.Candidates)) {
			t.Errorf("the candidates' checkpoint counts %d records, want %d (each counted once)", e.Records, len(want.Candidates))
		}
	}
	// Continued from the checkpoint: the candidate pages applied before
	// the kill were not read again (starting over would read them all).
	var pages int
	for _, e := range final.Entities {
		if e.Entity == recrubo.EntityCandidate {
			pages = e.PagesDone
		}
	}
	if after := emu.Stats().Operations["crEmployeePage"].Calls - callsAtKill; after >= pages {
		t.Errorf("%d candidate page requests after the kill for %d pages in all: the sync started over", after, pages)
	}
}

// sep is the separator before a new query parameter of u.
func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// openCLIStore opens the store the CLI's environment names, for looking at
// it from the test.
func openCLIStore(t *testing.T, env map[string]string) *store.DB {
	t.Helper()
	kr, err := keyring.Parse(env["MASTER_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	cfg := store.Config{Cipher: kr}
	if u := env["DATABASE_URL"]; u != "" {
		cfg.URL = u
	} else {
		cfg.URL = "sqlite:" + filepath.Join(env["DATA_DIR"], "recrubo.db")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
