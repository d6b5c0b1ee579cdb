package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// CarerixIngester accepts Carerix webhook deliveries. Package sync
// implements it.
type CarerixIngester interface {
	// IngestCarerix verifies the delivery for the tenant with slug (its
	// signature and secret header, read through header) before parsing
	// body, then stores the event and its processing durably. It reports
	// whether the event was new; a redelivery is acknowledged, not stored
	// again.
	IngestCarerix(ctx context.Context, slug string, header func(name string) string, body []byte) (bool, error)
}

// CarerixWebhookDeps are what the routes of Carerix webhook deliveries (POST /webhooks/carerix/:tenant) need. The zero value disables them.
type CarerixWebhookDeps struct {
	Ingester CarerixIngester
}

// carerixWebhookRoutes registers the routes of Carerix webhook deliveries (POST /webhooks/carerix/:tenant).
func (s *Server) carerixWebhookRoutes() {
	if s.deps.CarerixWebhooks.Ingester == nil {
		return
	}
	s.app.Post("/webhooks/carerix/:tenant", s.handleCarerixDelivery)
}

// carerixAck is the answer to an accepted delivery.
type carerixAck struct {
	Accepted  bool `json:"accepted"`
	Duplicate bool `json:"duplicate"`
}

// handleCarerixDelivery stores a verified delivery and answers at once:
// 202 for a new event (processing follows in the background), 200 for a
// redelivery.
func (s *Server) handleCarerixDelivery(c *fiber.Ctx) error {
	body := c.Body()
	if limit := s.cfg.WebhookBodyLimit; limit > 0 && len(body) > limit {
		return recrubo.E(recrubo.ETOOLARGE, "error.too_large")
	}
	isNew, err := s.deps.CarerixWebhooks.Ingester.IngestCarerix(c.UserContext(), c.Params("tenant"),
		func(name string) string { return c.Get(name) }, body)
	if err != nil {
		return err
	}
	if isNew {
		c.Status(fiber.StatusAccepted)
	}
	return c.JSON(carerixAck{Accepted: true, Duplicate: !isNew})
}
