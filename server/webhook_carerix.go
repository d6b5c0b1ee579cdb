package server

// CarerixWebhookDeps are what the routes of Carerix webhook deliveries (POST /webhooks/carerix/:tenant) need. The zero value disables them.
type CarerixWebhookDeps struct{}

// carerixWebhookRoutes registers the routes of Carerix webhook deliveries (POST /webhooks/carerix/:tenant).
func (s *Server) carerixWebhookRoutes() {}
