package messaging

import (
	"time"

	"github.com/recrubo/recrubo-carerix/jobs"
)

// SendJob sends one attempt of an outbound message.
type SendJob struct {
	TenantID  string `json:"tenant_id"`
	MessageID string `json:"message_id"`
	Attempt   int    `json:"attempt"`
}

// Kind implements recrubo.JobArgs.
func (SendJob) Kind() string { return "whatsapp_send" }

// EventJob processes one stored WhatsApp webhook event.
type EventJob struct {
	TenantID string `json:"tenant_id"`
	EventID  string `json:"event_id"`
}

// Kind implements recrubo.JobArgs.
func (EventJob) Kind() string { return "whatsapp_event" }

// Job settings.
const (
	sendAttempts  = 8
	eventAttempts = 10
	jobTimeout    = time.Minute
)

// Register registers the service's job handlers.
func (s *Service) Register(reg *jobs.Registry) {
	jobs.Handle(reg, s.HandleSend, jobs.HandleOptions{MaxAttempts: sendAttempts, Timeout: jobTimeout, Backoff: s.backoff})
	jobs.Handle(reg, s.HandleEvent, jobs.HandleOptions{MaxAttempts: eventAttempts, Timeout: jobTimeout, Backoff: s.backoff})
	jobs.Handle(reg, s.HandleSummary, jobs.HandleOptions{MaxAttempts: summaryAttempts, Timeout: jobTimeout, Backoff: s.backoff})
	jobs.Handle(reg, s.HandleMedia, jobs.HandleOptions{MaxAttempts: mediaAttempts, Timeout: 5 * time.Minute, Backoff: s.backoff})
	jobs.Handle(reg, s.HandleBroadcast, jobs.HandleOptions{MaxAttempts: broadcastAttempts, Timeout: 2 * broadcastJobSlice, Backoff: s.backoff})
	jobs.Handle(reg, s.HandleTemplateSync, jobs.HandleOptions{MaxAttempts: templateSyncAttempts, Timeout: 5 * time.Minute, Backoff: s.backoff})
}
