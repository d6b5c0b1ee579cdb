package main

import (
	"github.com/recrubo/recrubo-carerix/messaging"
)

// wireMessaging wires conversations: WhatsApp send and inbound jobs and the
// WhatsApp webhook. The service is kept on s for the inbox pages.
func wireMessaging(s *services) error {
	svc := messaging.New(messaging.Config{Store: s.cached, Logger: s.log.With("area", "messaging")})
	svc.Register(s.jobs)
	s.server.WhatsApp.Ingester = svc
	s.messaging = svc
	return nil
}
