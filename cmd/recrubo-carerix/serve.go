package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/recrubo/recrubo-carerix/config"
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

func newLogger(cfg config.Config, e *env) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(e.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(e.stderr, opts))
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
	log := newLogger(cfg, e)
	kr, err := openKeyring(cfg, log)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	storeURL, err := cfg.StoreURL()
	if err != nil {
		return err
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("creating data directory: %w", err)
		}
	}
	db, err := store.Open(ctx, store.Config{URL: storeURL, DataDir: cfg.DataDir, Cipher: kr, Logger: log})
	if err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	defer db.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cached, err := store.NewCached(db, store.CacheConfig{TTL: cfg.CacheTTL, Metrics: reg})
	if err != nil {
		return fmt.Errorf("starting cache: %w", err)
	}
	defer cached.Close()

	svc, err := newServices(cfg, log, db, cached, reg)
	if err != nil {
		return err
	}
	for _, wire := range []func(*services) error{wireSync, wireProvisioning, wireMessaging, wireEmbeds} {
		if err := wire(svc); err != nil {
			return err
		}
	}
	runner, err := jobs.NewRunner(db, svc.jobs, jobs.Config{
		Queues: map[string]int{"default": cfg.JobWorkers}, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("preparing job runner: %w", err)
	}
	if err := reg.Register(jobsCollector{runner: runner}); err != nil {
		return fmt.Errorf("registering job metrics: %w", err)
	}

	srv, err := server.New(server.Config{
		ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		BodyLimit: cfg.BodyLimit, WebhookBodyLimit: cfg.WebhookBodyLimit,
	}, svc.server)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	if err := runner.Start(ctx); err != nil {
		_ = ln.Close()
		return fmt.Errorf("starting jobs: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	bctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	background := svc.startBackground(bctx)
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("public_url", cfg.PublicURL), slog.String("backend", db.Backend()))

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("HTTP server stopped: %w", err)
	}
	log.Info("shutting down")
	stopBackground()
	background.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := runner.Stop(sctx); err != nil {
		errs = append(errs, fmt.Errorf("draining jobs: %w", err))
	}
	<-served
	log.Info("stopped")
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
