package cli

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/store"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// syncSchedulerTick is how often the background loop looks for tenants
// due a reconciliation or a rescope.
const syncSchedulerTick = 30 * time.Second

// wireSync wires Carerix sync: initial sync, webhook processing and reconciliation jobs, and the webhook endpoint.
func wireSync(s *services) error {
	log := s.log.With("area", "sync")
	svc := carerixsync.New(carerixsync.Config{
		Store: s.db, Reads: s.cached, Logger: log,
		Connect: carerixsync.NewClientConnector(func(c *carerix.Config) { c.Logger = log }, s.db),
	})
	carerixsync.RegisterJobs(s.jobs, svc)
	s.server.CarerixWebhooks.Ingester = svc
	s.background = append(s.background, svc.Loop(syncSchedulerTick))
	for _, c := range append(svc.Collectors(), carerixsync.NewCollector(s.cached)) {
		if err := s.metrics.Register(c); err != nil {
			return fmt.Errorf("registering sync metrics: %w", err)
		}
	}
	s.server.Health = func(ctx context.Context) (any, error) { return syncHealth(ctx, s.db, s.cached) }
	return nil
}

// tenantHealth is one tenant's entry in the detailed health.
type tenantHealth struct {
	Slug     string                    `json:"slug"`
	Verified bool                      `json:"verified"`
	Sync     *carerixsync.SyncProgress `json:"sync"`
}

// syncHealth is the detailed health the metrics listener serves on
// /health: the database, and every tenant's sync progress and health.
func syncHealth(ctx context.Context, db *store.DB, reads recrubo.DataStore) (any, error) {
	status := "ok"
	if err := db.Ping(ctx); err != nil {
		status = "database unavailable"
	}
	ts, err := reads.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]tenantHealth, 0, len(ts))
	for _, t := range ts {
		p, err := carerixsync.Progress(ctx, reads, t.ID)
		if err != nil {
			return nil, fmt.Errorf("sync health of %s: %w", t.Slug, err)
		}
		out = append(out, tenantHealth{Slug: t.Slug, Verified: !t.VerifiedAt.IsZero(), Sync: p})
	}
	return map[string]any{"status": status, "version": recrubo.Version, "tenants": out}, nil
}
