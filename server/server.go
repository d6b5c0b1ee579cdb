// Package server is the HTTP face of the service: the Fiber application with
// its routes, handlers and middleware. It is the only package that imports
// Fiber. Handlers are thin: parse the request, load through domain
// interfaces, build typed page data, render. Every error goes through one
// ErrorHandler that maps domain error codes to HTTP statuses.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recrubo/recrubo-carerix/static"
	"github.com/recrubo/recrubo-carerix/templates"
)

// Config holds the server's settings.
type Config struct {
	ReadTimeout      time.Duration
	WriteTimeout     time.Duration
	IdleTimeout      time.Duration
	BodyLimit        int
	WebhookBodyLimit int
}

// Pinger reports whether the service is ready to serve: the database answers
// and its migrations are applied.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are the collaborators the server needs. Nil optional fields disable
// the routes that need them.
type Deps struct {
	Logger *slog.Logger
	// Ready is checked by /readyz.
	Ready Pinger
	// Registry receives the HTTP metrics and is served on /metrics of the
	// metrics listener (ServeMetrics), never on the public one.
	Registry *prometheus.Registry
	// Gatherer is what /metrics serves; nil means Registry.
	Gatherer prometheus.Gatherer
	// Health, when set, reports the detailed health GET /health serves
	// on the metrics listener (per tenant, so never on the public one).
	Health func(ctx context.Context) (any, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Templates, Catalog and Assets render the HTML pages and serve their
	// assets; pages are disabled when Templates is nil. Errors are told
	// from Catalog (the embedded one when nil).
	Templates *templates.Registry
	Catalog   *templates.Catalog
	Assets    *static.Assets

	// The product's areas, each in its own file. A zero value disables the
	// area's routes.
	CarerixWebhooks CarerixWebhookDeps
	WhatsApp        WhatsAppDeps
	Verify          VerifyDeps
	Embeds          EmbedDeps
}

// Server is the HTTP server: the public app (pages, webhooks, /healthz and
// /readyz) and the metrics app (/metrics, /health and the probes again),
// each served on a listener of its own.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	app     *fiber.App
	ops     *fiber.App
	metrics *httpMetrics
	ids     *idSource
}

// New builds the server and registers its routes.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Logger == nil {
		return nil, errors.New("server: a logger is required")
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	if deps.Gatherer == nil {
		deps.Gatherer = deps.Registry
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.BodyLimit <= 0 {
		return nil, errors.New("server: BodyLimit must be positive")
	}
	if deps.Catalog == nil {
		cat, err := templates.NewCatalog()
		if err != nil {
			return nil, fmt.Errorf("server: loading the message catalog: %w", err)
		}
		deps.Catalog = cat
	}
	m, err := newHTTPMetrics(deps.Registry)
	if err != nil {
		return nil, fmt.Errorf("server: registering metrics: %w", err)
	}
	if w := deps.Embeds.Waits; w != nil {
		if err := deps.Registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "recrubo_embed_waiting_requests",
			Help: "Thread and list requests of framed pages waiting for a change now.",
		}, func() float64 { return float64(w.Waiting()) })); err != nil {
			return nil, fmt.Errorf("server: registering metrics: %w", err)
		}
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, metrics: m, ids: newIDSource()}
	appCfg := fiberConfig(cfg)
	appCfg.ErrorHandler = s.handleError
	s.app = fiber.New(appCfg)
	s.routes()
	s.ops = fiber.New(fiber.Config{
		AppName:               "recrubo-carerix-metrics",
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          s.handleError,
	})
	s.opsRoutes()
	return s, nil
}

// fiberConfig is the configuration of the public app built from cfg,
// without its error handler: benchmarks measure bare handlers on the very
// same settings (buffers, timeouts, limits) as the service.
func fiberConfig(cfg Config) fiber.Config {
	return fiber.Config{
		AppName:               "recrubo-carerix",
		ServerHeader:          "",
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		BodyLimit:             cfg.BodyLimit,
		// Request values are copied where they outlive a handler; keep
		// Fiber's zero-allocation mode for speed.
		Immutable: false,
		// A page (headers and body, ~6-15 KB) leaves in one write instead
		// of a 4 KB buffer's flush followed by a second write.
		WriteBufferSize: 32 << 10,
	}
}

func (s *Server) routes() {
	// recoverPanics sits inside logging and metrics, so a panicking request is
	// still logged and measured as the 500 it becomes.
	s.app.Use(s.requestID, s.observe, s.recoverPanics, s.securityHeaders, s.compress)
	s.app.Get("/healthz", s.handleHealthz)
	s.app.Get("/readyz", s.handleReadyz)
	if s.deps.Assets != nil {
		s.app.Get("/static/*", s.handleStatic)
	}
	s.carerixWebhookRoutes()
	s.whatsAppRoutes()
	s.verifyRoutes()
	s.embedRoutes()
}

// opsRoutes registers the routes of the metrics listener: what only
// operators may see (metrics and health per tenant) and the probes.
func (s *Server) opsRoutes() {
	s.ops.Get("/metrics", s.handleMetrics)
	s.ops.Get("/health", s.handleHealth)
	s.ops.Get("/healthz", s.handleHealthz)
	s.ops.Get("/readyz", s.handleReadyz)
}

// Serve accepts connections on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.app.Listener(ln); err != nil {
		return fmt.Errorf("serving HTTP: %w", err)
	}
	return nil
}

// ServeMetrics serves /metrics, /health, /healthz and /readyz on ln, a
// listener that should be reachable by operators only (loopback or a
// private network), until Shutdown is called.
func (s *Server) ServeMetrics(ln net.Listener) error {
	if err := s.ops.Listener(ln); err != nil {
		return fmt.Errorf("serving metrics: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits, until ctx is done, for
// in-flight requests to finish, on both listeners. Thread polls waiting
// for a change are answered at once.
func (s *Server) Shutdown(ctx context.Context) error {
	if w := s.deps.Embeds.Waits; w != nil {
		w.Close()
	}
	var errs []error
	if err := s.app.ShutdownWithContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("shutting down HTTP: %w", err))
	}
	if err := s.ops.ShutdownWithContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("shutting down the metrics listener: %w", err))
	}
	return errors.Join(errs...)
}
