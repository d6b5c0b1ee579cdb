package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsLabelsUnderConcurrentMixedRequests hammers the public port
// with concurrent requests of every method on matched and unmatched
// routes, keeping connections alive (so Fiber reuses its request buffers),
// while /metrics is scraped on the metrics listener. Every scrape answers
// 200 and parses, and every label of the request metric names a real
// method and a registered route (or "unmatched"): no label was built from
// a buffer that a later request overwrote. The public port serves no
// metrics.
func TestMetricsLabelsUnderConcurrentMixedRequests(t *testing.T) {
	tpl, cat, assets, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second, BodyLimit: 1 << 20},
		Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Templates: tpl, Catalog: cat, Assets: assets,
			Health: func(context.Context) (any, error) { return map[string]string{"acme": "ok"}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	// Routes of every method, with parameters, beside the server's own.
	for _, m := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete} {
		s.app.Add(m, "/items/:id", func(c *fiber.Ctx) error { return c.SendString(c.Params("id")) })
	}
	s.app.Post("/items/:id/notes", func(c *fiber.Ctx) error { return c.Status(201).Send(c.Body()) })
	routes := map[string]bool{"unmatched": true}
	for _, r := range s.app.GetRoutes(true) {
		routes[r.Path] = true
	}
	methods := map[string]bool{"other": true}
	for _, m := range fiber.DefaultMethods {
		methods[m] = true
	}

	public := listen(t, s.Serve)
	metrics := listen(t, s.ServeMetrics)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})

	type call struct{ method, path string }
	calls := []call{
		{"GET", "/healthz"}, {"HEAD", "/healthz"}, {"GET", "/readyz"}, {"POST", "/healthz"},
		{"GET", "/items/%d"}, {"PUT", "/items/%d"}, {"PATCH", "/items/%d"}, {"DELETE", "/items/%d"},
		{"POST", "/items/%d/notes"}, {"OPTIONS", "/items/%d"}, {"GET", "/static/missing-%d.css"},
		{"GET", "/no/such/page/%d"}, {"POST", "/DELETE/%d"}, {"PURGE", "/items/%d"}, {"BREW", "/coffee/%d"},
		{"GETTY", "/healthz"}, {"GET", "/metrics"}, {"TRACE", "/x%d"},
	}
	var wg sync.WaitGroup
	var standard atomic.Int64 // requests of a method Fiber routes (it answers others 501 before any middleware)
	for w := range 12 {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
			defer client.CloseIdleConnections()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range 400 {
				c := calls[rng.IntN(len(calls))]
				if methods[c.method] {
					standard.Add(1)
				}
				path := c.path
				if strings.Contains(path, "%d") {
					path = fmt.Sprintf(path, rng.IntN(1_000_000))
				}
				body := strings.Repeat("x", rng.IntN(300))
				req, err := http.NewRequestWithContext(t.Context(), c.method, public+path, strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				req.Header.Set("X-Request-ID", fmt.Sprintf("w%d-%d", w, i))
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("%s %s: %v", c.method, path, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if path == "/metrics" && resp.StatusCode != http.StatusNotFound {
					t.Errorf("public /metrics = %d, want 404", resp.StatusCode)
				}
			}
		})
	}
	done := make(chan struct{})
	scrapes := 0
	var scraper sync.WaitGroup
	scraper.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			checkMetricLabels(t, metrics, methods, routes)
			scrapes++
		}
	})
	wg.Wait()
	close(done)
	scraper.Wait()
	fams := checkMetricLabels(t, metrics, methods, routes)
	var observed uint64
	for _, m := range fams["recrubo_http_request_duration_seconds"].GetMetric() {
		observed += m.GetHistogram().GetSampleCount()
	}
	if observed != uint64(standard.Load()) {
		t.Errorf("the metric counts %d requests, want %d", observed, standard.Load())
	}
	t.Logf("%d scrapes during %d requests", scrapes, 12*400)

	for _, path := range []string{"/health", "/healthz", "/readyz"} {
		resp, err := http.Get(metrics + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("metrics listener %s = %d", path, resp.StatusCode)
		}
	}
	resp, err := http.Get(public + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("public /health = %d, want 404: the detailed health names tenants", resp.StatusCode)
	}
}

// listen serves serve on a loopback port and returns its base URL.
func listen(t *testing.T, serve func(net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = serve(ln) }()
	return "http://" + ln.Addr().String()
}

// checkMetricLabels scrapes base/metrics, expecting 200 and a valid
// exposition, and checks the request metric's method and route labels.
func checkMetricLabels(t *testing.T, base string, methods, routes map[string]bool) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d:\n%s", resp.StatusCode, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	for _, m := range fams["recrubo_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "method":
				if !methods[l.GetValue()] {
					t.Errorf("method label %q is no method", l.GetValue())
				}
			case "route":
				if !routes[l.GetValue()] {
					t.Errorf("route label %q is no route", l.GetValue())
				}
			}
		}
	}
	return fams
}
