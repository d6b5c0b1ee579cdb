package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
)

type pingFunc func(context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

func newTestServer(t *testing.T, ready Pinger) (*Server, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	s, err := New(Config{ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second, BodyLimit: 4096},
		Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Ready: ready, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func do(t *testing.T, s *Server, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.app.Test(req, 5000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

func TestHealthAndReadiness(t *testing.T) {
	var dbErr error
	s, _ := newTestServer(t, pingFunc(func(context.Context) error { return dbErr }))
	resp, body := do(t, s, httptest.NewRequest("GET", "/healthz", nil))
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz = %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, s, httptest.NewRequest("GET", "/readyz", nil)); resp.StatusCode != 200 {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
	dbErr = errors.New("dial tcp 10.1.2.3:5432: connection refused")
	resp, body = do(t, s, httptest.NewRequest("GET", "/readyz", nil))
	if resp.StatusCode != 503 {
		t.Fatalf("readyz with db down = %d", resp.StatusCode)
	}
	if strings.Contains(body, "10.1.2.3") {
		t.Errorf("readyz leaks internal detail: %s", body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

func TestErrorMappingIsCentral(t *testing.T) {
	s, logs := newTestServer(t, nil)
	s.app.Get("/boom/:kind", func(c *fiber.Ctx) error {
		switch c.Params("kind") {
		case "invalid":
			return &recrubo.Error{Code: recrubo.EINVALID, Message: "Bad input.", Fields: []recrubo.FieldError{{Field: "slug", Message: "is required"}}}
		case "forbidden":
			return recrubo.Errorf(recrubo.EFORBIDDEN, "No.")
		case "keyed":
			return recrubo.E(recrubo.EINVALID, "embed.error.period")
		case "plain":
			return errors.New("secret database detail")
		case "panic":
			panic("kaboom")
		}
		return nil
	})
	tests := []struct {
		path       string
		wantStatus int
		wantCode   recrubo.Code
		wantMsg    string
	}{
		{"/boom/invalid", 400, recrubo.EINVALID, "Bad input."},
		{"/boom/forbidden", 403, recrubo.EFORBIDDEN, "No."},
		{"/boom/keyed", 400, recrubo.EINVALID, "The period must be 7, 30 or 90 days."},
		{"/boom/plain", 500, recrubo.EINTERNAL, "An internal error occurred. Please try again later."},
		{"/boom/panic", 500, recrubo.EINTERNAL, "An internal error occurred. Please try again later."},
		{"/nowhere", 404, recrubo.ENOTFOUND, "This page does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := do(t, s, httptest.NewRequest("GET", tt.path, nil))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			var eb errorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if eb.Code != tt.wantCode || eb.Error != tt.wantMsg || eb.RequestID == "" {
				t.Errorf("body = %+v", eb)
			}
			if strings.Contains(body, "secret database detail") || strings.Contains(body, "kaboom") {
				t.Errorf("body leaks internals: %s", body)
			}
		})
	}
	if !strings.Contains(logs.String(), "secret database detail") || !strings.Contains(logs.String(), "kaboom") {
		t.Error("internal errors are not logged with their detail")
	}
	// Both the failing and the panicking request get their access-log line.
	var logged500 int
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"http request"`) && strings.Contains(line, `"route":"/boom/:kind","status":500`) {
			logged500++
		}
	}
	if logged500 != 2 {
		t.Errorf("%d access-log lines for 500s on /boom/:kind, want 2 (plain error and panic):\n%s", logged500, logs.String())
	}
	resp, body := do(t, s, httptest.NewRequest("GET", "/boom/invalid", nil))
	if !strings.Contains(body, `"field":"slug"`) {
		t.Errorf("field errors missing: %s (%d)", body, resp.StatusCode)
	}
}

func TestRequestIDAndSecurityHeaders(t *testing.T) {
	s, logs := newTestServer(t, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	resp, _ := do(t, s, req)
	if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("request id = %q, want the caller's", got)
	}
	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "evil\"} injected")
	resp, _ = do(t, s, req)
	if got := resp.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, "evil") {
		t.Errorf("unsafe request id kept: %q", got)
	}
	if strings.Contains(logs.String(), "injected") {
		t.Error("unsafe request id reached the logs")
	}
	if resp.Header.Get("Content-Security-Policy") != "frame-ancestors 'none'" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("framing headers = %q / %q", resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Frame-Options"))
	}
}

func TestBodyLimit(t *testing.T) {
	s, _ := newTestServer(t, nil)
	s.app.Post("/echo", func(c *fiber.Ctx) error { return c.SendString("ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	resp, err := http.Post("http://"+ln.Addr().String()+"/echo", "text/plain", strings.NewReader(strings.Repeat("x", 10000)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("oversized body = %d, want 413", resp.StatusCode)
	}
}

func TestMetricsByRoute(t *testing.T) {
	s, _ := newTestServer(t, nil)
	do(t, s, httptest.NewRequest("GET", "/healthz", nil))
	do(t, s, httptest.NewRequest("GET", "/no/such/page/123", nil))
	if resp, _ := do(t, s, httptest.NewRequest("GET", "/metrics", nil)); resp.StatusCode != 404 {
		t.Errorf("public /metrics = %d, want 404", resp.StatusCode)
	}
	resp, err := s.ops.Test(httptest.NewRequest("GET", "/metrics", nil), 5000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	if !strings.Contains(body, `recrubo_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"} 1`) {
		t.Errorf("metrics lack the healthz observation:\n%s", body)
	}
	if strings.Contains(body, "/no/such/page/123") {
		t.Error("raw paths leak into metric labels")
	}
}

// TestShutdownFinishesInFlightRequest starts a request whose handler is
// still running when shutdown begins, and checks that it completes.
func TestShutdownFinishesInFlightRequest(t *testing.T) {
	s, _ := newTestServer(t, nil)
	entered := make(chan struct{})
	release := make(chan struct{})
	s.app.Get("/slow", func(c *fiber.Ctx) error {
		close(entered)
		<-release
		return c.SendString("finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/slow", nil)
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("request never reached the handler")
	}

	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdownDone <- s.Shutdown(ctx)
	}()
	// New connections are refused while the in-flight request still runs.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c2, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond)
		if err != nil {
			break
		}
		c2.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-shutdownDone:
		t.Fatalf("shutdown returned (%v) before the in-flight request finished", err)
	default:
	}
	close(release)
	select {
	case r := <-got:
		if r.err != nil || r.status != 200 || r.body != "finished" {
			t.Fatalf("in-flight request = %d %q %v, want 200 finished", r.status, r.body, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request never completed")
	}
	select {
	case err := <-shutdownDone:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("shutdown did not return")
	}
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
