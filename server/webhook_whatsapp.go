package server

// WhatsAppDeps are what the routes of the WhatsApp Cloud API webhook (GET handshake and POST deliveries) need. The zero value disables them.
type WhatsAppDeps struct{}

// whatsAppRoutes registers the routes of the WhatsApp Cloud API webhook (GET handshake and POST deliveries).
func (s *Server) whatsAppRoutes() {}
