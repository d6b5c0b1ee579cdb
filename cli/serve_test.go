package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/clitest"
)

func TestServeRefusesToStartWithoutMasterKey(t *testing.T) {
	var out, errOut clitest.Buffer
	code := Run(t.Context(), []string{"serve", "--data-dir", t.TempDir()}, clitest.Env(nil), &out, &errOut)
	if code == 0 {
		t.Fatal("serve started without a master key")
	}
	if !strings.Contains(errOut.String(), "recrubo-carerix keygen") {
		t.Errorf("stderr does not say how to make a key:\n%s", errOut.String())
	}
}

func TestServeReportsEveryConfigProblem(t *testing.T) {
	var errOut clitest.Buffer
	code := Run(t.Context(), []string{"serve"}, clitest.Env(map[string]string{
		"DEMO": "true", "READ_TIMEOUT": "later", "JOB_WORKERS": "-1",
	}), io.Discard, &errOut)
	if code == 0 {
		t.Fatal("serve accepted bad configuration")
	}
	for _, want := range []string{"READ_TIMEOUT", "JOB_WORKERS"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %s:\n%s", want, errOut.String())
		}
	}
}

func TestKeygenPrintsAUsableKey(t *testing.T) {
	var out clitest.Buffer
	if code := Run(t.Context(), []string{"keygen", "--id", "prod1"}, clitest.Env(nil), &out, io.Discard); code != 0 {
		t.Fatal("keygen failed")
	}
	if !strings.HasPrefix(out.String(), "prod1:") {
		t.Fatalf("keygen printed %q", out.String())
	}
}

// TestServeRunsAndStopsCleanly starts the whole service on SQLite, checks it
// is ready, then cancels (as SIGTERM does) and expects a clean exit.
// freeAddr returns a loopback address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServeRunsAndStopsCleanly(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	var errOut clitest.Buffer
	key := func() string {
		var b clitest.Buffer
		Run(t.Context(), []string{"keygen"}, clitest.Env(nil), &b, io.Discard)
		return strings.TrimSpace(b.String())
	}()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--addr", addr, "--data-dir", t.TempDir()},
			clitest.Env(map[string]string{"MASTER_KEY": key, "PUBLIC_URL": "http://127.0.0.1:1", "METRICS_ADDR": metricsAddr}), io.Discard, &errOut)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s/readyz", addr))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d:\n%s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not ready:\n%s", errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := Run(t.Context(), []string{"healthcheck"}, clitest.Env(map[string]string{"ADDR": addr}), io.Discard, io.Discard); code != 0 {
		t.Error("healthcheck failed against a running service")
	}
	// Metrics and the detailed health are on METRICS_ADDR only.
	for _, path := range []string{"/metrics", "/health"} {
		resp, err := http.Get(fmt.Sprintf("http://%s%s", addr, path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s = %d, want 404", path, resp.StatusCode)
		}
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/metrics", metricsAddr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "recrubo_store_cache_hits_total") {
		t.Error("metrics lack the cache counters")
	}
	resp, err = http.Get(fmt.Sprintf("http://%s/health", metricsAddr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"tenants":[]`) {
		t.Errorf("health = %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited with %d:\n%s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if code := Run(t.Context(), []string{"healthcheck"}, clitest.Env(map[string]string{"ADDR": addr}), io.Discard, io.Discard); code == 0 {
		t.Error("healthcheck passed with the service stopped")
	}
	if !strings.Contains(errOut.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", errOut.String())
	}
	// The access log reaches stderr through a buffer of its own: every
	// request's line is written by the time the service has stopped,
	// before the stop is logged.
	logged, _, _ := strings.Cut(errOut.String(), `"msg":"stopped"`)
	if n := strings.Count(logged, `"route":"unmatched","status":404`); n != 2 {
		t.Errorf("%d access log lines of the two public 404s before the stop, want 2:\n%s", n, errOut.String())
	}
	if strings.Contains(errOut.String(), key[4:]) {
		t.Error("the master key appears in the logs")
	}
}
