package server

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// handleHealthz says the process is up. It checks nothing else, so an
// orchestrator does not restart us for a database outage.
func (s *Server) handleHealthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok", "version": recrubo.Version})
}

// handleReadyz says whether we can serve: the database answers and its
// migrations are applied.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.deps.Ready != nil {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := s.deps.Ready.Ping(ctx); err != nil {
			return recrubo.WrapError(recrubo.EUNAVAILABLE, err, "Not ready: the database is unavailable or not migrated.")
		}
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// handleHealth serves the detailed health (Deps.Health) as JSON, on the
// metrics listener only: it names tenants.
func (s *Server) handleHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.deps.Health == nil {
		return fiber.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 5*time.Second)
	defer cancel()
	h, err := s.deps.Health(ctx)
	if err != nil {
		return fmt.Errorf("reading the detailed health: %w", err)
	}
	return c.JSON(h)
}

// handleMetrics serves Prometheus metrics, on the metrics listener only.
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.deps.Gatherer, promhttp.HandlerOpts{}))(c)
}
