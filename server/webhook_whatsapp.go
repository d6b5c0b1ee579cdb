package server

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// WhatsAppIngester answers the WhatsApp Cloud API webhook: the
// subscription handshake and signed deliveries. Package messaging
// implements it.
type WhatsAppIngester interface {
	// VerifySubscription checks Meta's GET handshake for the tenant and
	// returns the challenge to echo.
	VerifySubscription(ctx context.Context, tenantSlug string, query url.Values) (string, error)
	// IngestWhatsApp verifies the signature of the raw body, parses it and
	// stores its events durably; it returns how many were new.
	IngestWhatsApp(ctx context.Context, tenantSlug string, body []byte, signature string) (int, error)
}

// WhatsAppDeps are what the routes of the WhatsApp Cloud API webhook (GET
// handshake and POST deliveries) need. The zero value disables them.
type WhatsAppDeps struct {
	Ingester WhatsAppIngester
}

// whatsAppSignatureHeader is Meta's signature header.
const whatsAppSignatureHeader = "X-Hub-Signature-256"

// whatsAppRoutes registers the routes of the WhatsApp Cloud API webhook:
// GET and POST /webhooks/whatsapp/:tenant.
func (s *Server) whatsAppRoutes() {
	if s.deps.WhatsApp.Ingester == nil {
		return
	}
	s.app.Get("/webhooks/whatsapp/:tenant", s.handleWhatsAppHandshake)
	s.app.Post("/webhooks/whatsapp/:tenant", s.handleWhatsAppDelivery)
}

// handleWhatsAppHandshake echoes hub.challenge when the verify token matches.
func (s *Server) handleWhatsAppHandshake(c *fiber.Ctx) error {
	query := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { query.Add(string(k), string(v)) })
	challenge, err := s.deps.WhatsApp.Ingester.VerifySubscription(c.UserContext(), c.Params("tenant"), query)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(challenge)
}

// whatsAppAck is the answer to an accepted delivery.
type whatsAppAck struct {
	Accepted int `json:"accepted"`
}

// handleWhatsAppDelivery stores a signed delivery and answers 200 at once;
// processing runs in the background.
func (s *Server) handleWhatsAppDelivery(c *fiber.Ctx) error {
	body := c.Body()
	if limit := s.cfg.WebhookBodyLimit; limit > 0 && len(body) > limit {
		return recrubo.E(recrubo.ETOOLARGE, "error.too_large")
	}
	n, err := s.deps.WhatsApp.Ingester.IngestWhatsApp(c.UserContext(), c.Params("tenant"), body,
		c.Get(whatsAppSignatureHeader))
	if err != nil {
		return err
	}
	return c.JSON(whatsAppAck{Accepted: n})
}
