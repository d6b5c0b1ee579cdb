package cli

import (
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/verify"
)

// wireMessaging wires conversations: WhatsApp send, inbound, media,
// template sync and broadcast jobs, the WhatsApp webhook, the hourly
// template sync of every connected number, and the conversation summaries
// written to Carerix through each tenant's integration account (on close,
// and daily for conversations still going on). The service is kept on s
// for the inbox pages.
func wireMessaging(s *services) error {
	log := s.log.With("area", "messaging")
	svc := messaging.New(messaging.Config{Store: s.cached, Logger: log,
		Carerix: messaging.NewCarerixConnector(func(c *carerix.Config) { c.Logger = log }, s.db)})
	svc.Register(s.jobs)
	s.background = append(s.background, svc.SummaryLoop(messaging.DefaultSummaryInterval),
		svc.TemplateSyncLoop(messaging.DefaultTemplateSyncInterval))
	s.server.WhatsApp.Ingester = svc
	if r, ok := s.server.Verify.Checks.(*verify.Runs); ok {
		// The verify page checks the tenant's WhatsApp number too.
		r.Checker.WhatsApp = &verify.WhatsApp{Number: svc, Store: s.db}
	}
	s.messaging = svc
	return nil
}
