package cli

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store"
)

// services are the parts serve assembles. Each area of the product wires
// itself in its own wire_*.go file: it registers its job handlers, fills
// its server dependencies and adds the loops it runs in the background.
type services struct {
	cfg     config.Config
	log     *slog.Logger
	db      *store.DB     // the store itself: transactions, jobs, changes
	cached  *store.Cached // the same store behind the read cache
	metrics *prometheus.Registry
	jobs    *jobs.Registry
	server  server.Deps
	// messaging is the conversations service, set by wireMessaging.
	messaging *messaging.Service
	// embedAuth checks embed proofs; see embedAuthenticator.
	embedAuth *embed.Authenticator

	// background loops run beside the server until serve shuts down.
	background []func(ctx context.Context)
}

func newServices(cfg config.Config, log *slog.Logger, db *store.DB, cached *store.Cached, reg *prometheus.Registry) (*services, error) {
	tpl, cat, assets, err := server.LoadPages()
	if err != nil {
		return nil, err
	}
	return &services{
		cfg: cfg, log: log, db: db, cached: cached, metrics: reg,
		jobs: jobs.NewRegistry(),
		server: server.Deps{
			Logger: log, Ready: db, Registry: reg,
			Templates: tpl, Catalog: cat, Assets: assets,
		},
	}, nil
}

// startBackground starts the background loops; the WaitGroup is done when
// they have all returned after ctx ends.
func (s *services) startBackground(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, loop := range s.background {
		wg.Go(func() { loop(ctx) })
	}
	return &wg
}
