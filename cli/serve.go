package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/internal/logbuf"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store"
)

func (e *env) serveCmd() *cobra.Command {
	cfg := config.Default()
	var addr, dataDir string
	var demo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP service and its background workers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			errs := cfg.Apply(e.getenv)
			// Flags override the environment.
			if cmd.Flags().Changed("addr") {
				cfg.Addr = addr
			}
			if cmd.Flags().Changed("data-dir") {
				cfg.DataDir = dataDir
			}
			if cmd.Flags().Changed("demo") {
				cfg.Demo = demo
			}
			errs = append(errs, cfg.Validate()...)
			if len(errs) > 0 {
				for _, err := range errs {
					fmt.Fprintln(e.stderr, "config:", err)
				}
				return errors.New("invalid configuration")
			}
			return e.serve(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", cfg.Addr, "listen address (overrides ADDR)")
	cmd.Flags().StringVar(&dataDir, "data-dir", cfg.DataDir, "directory for the SQLite database (overrides DATA_DIR)")
	cmd.Flags().BoolVar(&demo, "demo", false, "run with a throw-away master key (overrides DEMO)")
	return cmd
}

// newLogger returns the service's logger, writing to w.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func openKeyring(cfg config.Config, log *slog.Logger) (*keyring.Keyring, error) {
	if cfg.MasterKey != "" {
		return keyring.Parse(cfg.MasterKey)
	}
	// Demo mode only (Validate refuses an empty key otherwise): a
	// throw-away key, so demo data cannot be read after a restart.
	log.Warn("demo mode: using a throw-away master key; secrets stored now cannot be read after a restart")
	k, err := keyring.GenerateKey("demo")
	if err != nil {
		return nil, err
	}
	return keyring.Parse(k)
}

// serve runs until ctx is done, then shuts down in order: stop accepting
// HTTP, finish in-flight requests, drain jobs, close the store.
func (e *env) serve(ctx context.Context, cfg config.Config) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	svc, err := e.startService(ctx, cfg, ln)
	if err != nil {
		return err
	}
	return svc.wait(ctx)
}

// runningService is the service started on a listener.
type runningService struct {
	*services
	shutdown       time.Duration
	srv            *server.Server
	metricsAddr    string // where /metrics listens; "" when off
	runner         *jobs.Runner
	served         chan error
	stopBackground context.CancelFunc
	background     *sync.WaitGroup
	closers        []func()
}

// startService opens the store, wires every area, starts the job workers,
// the background loops and the HTTP server on ln. The caller must call wait.
func (e *env) startService(ctx context.Context, cfg config.Config, ln net.Listener) (_ *runningService, err error) {
	var closers []func()
	defer func() {
		if err != nil {
			_ = ln.Close()
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()
	// The log (an access log line per request) reaches stderr through
	// a writer of its own, so that a request costs a copy of its line
	// instead of a write(2); closed last, which writes what it holds.
	logs := logbuf.New(e.stderr, 0)
	closers = append(closers, func() { _ = logs.Close() })
	log := newLogger(cfg, logs)
	kr, err := openKeyring(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	storeURL, err := cfg.StoreURL()
	if err != nil {
		return nil, err
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data directory: %w", err)
		}
	}
	db, err := store.Open(ctx, store.Config{URL: storeURL, DataDir: cfg.DataDir, Cipher: kr, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	closers = append(closers, func() { _ = db.Close() })

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cached, err := store.NewCached(db, store.CacheConfig{TTL: cfg.CacheTTL, Metrics: reg})
	if err != nil {
		return nil, fmt.Errorf("starting cache: %w", err)
	}
	closers = append(closers, cached.Close)

	svc, err := newServices(cfg, log, db, cached, reg)
	if err != nil {
		return nil, err
	}
	for _, wire := range []func(*services) error{wireSync, wireProvisioning, wireMessaging, wireEmbeds} {
		if err := wire(svc); err != nil {
			return nil, err
		}
	}
	runner, err := jobs.NewRunner(db, svc.jobs, jobs.Config{
		Queues: map[string]int{"default": cfg.JobWorkers}, Logger: log, RescueAfter: cfg.JobRescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("preparing job runner: %w", err)
	}
	if err := reg.Register(jobsCollector{runner: runner}); err != nil {
		return nil, fmt.Errorf("registering job metrics: %w", err)
	}
	srv, err := server.New(server.Config{
		ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		BodyLimit: cfg.BodyLimit, WebhookBodyLimit: cfg.WebhookBodyLimit,
	}, svc.server)
	if err != nil {
		return nil, err
	}
	// Metrics and the detailed health name every tenant: they have a
	// listener of their own, loopback by default, never the public port.
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("listening for metrics on %s (METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		closers = append(closers, func() { _ = metricsLn.Close() })
	}
	if err := runner.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting jobs: %w", err)
	}
	r := &runningService{services: svc, shutdown: cfg.ShutdownTimeout, srv: srv, runner: runner,
		served: make(chan error, 1), closers: closers}
	go func() { r.served <- srv.Serve(ln) }()
	attrs := []any{slog.String("addr", ln.Addr().String()), slog.String("public_url", cfg.PublicURL), slog.String("backend", db.Backend())}
	if metricsLn != nil {
		r.metricsAddr = metricsLn.Addr().String()
		go func() {
			if err := srv.ServeMetrics(metricsLn); err != nil {
				log.Error("metrics listener stopped", slog.Any("err", err))
			}
		}()
		attrs = append(attrs, slog.String("metrics_addr", r.metricsAddr))
	}
	bctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stopBackground = stop
	r.background = svc.startBackground(bctx)
	log.Info("serving", attrs...)
	return r, nil
}

// wait serves until ctx is done or the server fails, then shuts down in
// order: background loops, HTTP (finishing in-flight requests), jobs
// (draining), cache and store.
func (r *runningService) wait(ctx context.Context) error {
	var errs []error
	select {
	case <-ctx.Done():
	case err := <-r.served:
		errs = append(errs, fmt.Errorf("HTTP server stopped: %w", err))
		r.served <- nil
	}
	r.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), r.shutdown)
	defer cancel()
	r.stopBackground()
	r.background.Wait()
	if err := r.srv.Shutdown(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := r.runner.Stop(sctx); err != nil {
		errs = append(errs, fmt.Errorf("draining jobs: %w", err))
	}
	<-r.served
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.log.Info("stopped")
	return errors.Join(errs...)
}

// jobsCollector exports job counts by state.
type jobsCollector struct{ runner *jobs.Runner }

var jobsDesc = prometheus.NewDesc("recrubo_jobs", "Background jobs by state.", []string{"state"}, nil)

func (jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.runner.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
}
