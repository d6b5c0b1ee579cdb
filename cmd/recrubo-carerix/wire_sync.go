package main

import (
	"fmt"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	crsync "github.com/recrubo/recrubo-carerix/sync"
)

// syncSchedulerTick is how often the background loop looks for tenants
// due a reconciliation or a rescope.
const syncSchedulerTick = 30 * time.Second

// wireSync wires Carerix sync: initial sync, webhook processing and reconciliation jobs, and the webhook endpoint.
func wireSync(s *services) error {
	log := s.log.With("area", "sync")
	svc := crsync.New(crsync.Config{
		Store: s.db, Reads: s.cached, Logger: log,
		Connect: crsync.NewClientConnector(func(c *carerix.Config) { c.Logger = log }, s.db),
	})
	crsync.RegisterJobs(s.jobs, svc)
	s.server.CarerixWebhooks.Ingester = svc
	s.background = append(s.background, svc.Loop(syncSchedulerTick))
	for _, c := range append(svc.Collectors(), crsync.NewCollector(s.cached)) {
		if err := s.metrics.Register(c); err != nil {
			return fmt.Errorf("registering sync metrics: %w", err)
		}
	}
	return nil
}
