package webhooks

import (
	"strings"
	"time"
)

// Status is the state of a webhook, as in the Carerix WebhookStatus enum.
type Status string

// Webhook statuses (Confirmed: WebhookStatus enum).
const (
	// StatusEnabled means events matching the filters are delivered.
	StatusEnabled Status = "enabled"
	// StatusDisabled means the webhook was switched off through the API.
	StatusDisabled Status = "disabled"
	// StatusError means the emulator switched the webhook off because too
	// many recent deliveries failed (see Options.HealthWindow).
	StatusError Status = "error"
)

// valid reports whether s is one of the three documented statuses.
func (s Status) valid() bool {
	return s == StatusEnabled || s == StatusDisabled || s == StatusError
}

// Event is a change in the emulated Carerix data that may trigger webhooks.
type Event struct {
	// Entity is the entity part of the event type as the tenant spells it:
	// "cremployee", "crmatch" (as documented) or "CREmployee", "CRTodo"
	// (as observed on tenants).
	Entity string
	// Action is "created", "updated" or "deleted".
	Action string
	// EntityID is the record's _id.
	EntityID string
	// ChangedFields lists the changed attribute names; sent as given.
	ChangedFields []string
	// Time is when the change happened; zero means Options.Now().
	Time time.Time
	// Tenant overrides Options.Tenant in the payload when non-empty.
	Tenant string
}

// Type returns the event type "<entity>:<action>", spelt as given (the
// action in lowercase). Filters match it case-insensitively.
func (e Event) Type() string {
	return strings.TrimSpace(e.Entity) + ":" + strings.ToLower(strings.TrimSpace(e.Action))
}

// Application is a webhook application: a named owner of webhooks with its
// own signing key pair, or none when the tenant signs with one global key
// (Options.GlobalSignatureKey).
type Application struct {
	// ID is the application's UUID (_id).
	ID string
	// Name is the name given at creation.
	Name string
	// Algorithm is the signature algorithm advertised in
	// signatureVerification; "" with a global key.
	Algorithm string
	// PublicKeyPEM is the PEM-encoded public key that verifies Cx-Signature;
	// "" with a global key (signatureVerification is then null).
	PublicKeyPEM string
	// CreatedAt and UpdatedAt are the audit timestamps.
	CreatedAt, UpdatedAt time.Time
}

// Filter selects the events a webhook receives.
type Filter struct {
	// EventType is "<entity>:<action>", compared case-insensitively.
	EventType string
}

// Header is one custom header sent with every delivery of a webhook.
type Header struct {
	// Name is the header name; Cx-Signature, Cx-Payload-Schema-Version and
	// Content-Type are refused.
	Name string
	// Value is sent verbatim.
	Value string
}

// WebhookRequest holds the fields a client supplies when creating a webhook.
type WebhookRequest struct {
	// URL is the absolute http(s) endpoint deliveries are POSTed to.
	URL string
	// Filters select the event types; 1..Options.MaxFilters entries.
	Filters []Filter
	// CustomHeaders are added to every delivery.
	CustomHeaders []Header
}

// Webhook is a subscription of a URL to a set of event types.
type Webhook struct {
	// ID is the webhook's UUID (_id).
	ID string
	// ApplicationID is the owning application's _id.
	ApplicationID string
	// URL, Filters and CustomHeaders are as created; there is no update.
	URL           string
	Filters       []Filter
	CustomHeaders []Header
	// Status is enabled, disabled or error.
	Status Status
	// CreatedAt and UpdatedAt are the audit timestamps.
	CreatedAt, UpdatedAt time.Time
}

// matches reports whether the webhook's filters select the event type.
func (w *Webhook) matches(eventType string) bool {
	for _, f := range w.Filters {
		if strings.EqualFold(f.EventType, eventType) {
			return true
		}
	}
	return false
}

// JobState is the lifecycle state of a delivery job.
type JobState string

// Delivery job states. Carerix documents only per-attempt statuses; the job
// states are how the emulator summarises them.
const (
	// JobPending means the job waits for its first or a further attempt.
	JobPending JobState = "pending"
	// JobSucceeded means an attempt got a 2xx response.
	JobSucceeded JobState = "succeeded"
	// JobFailed means MaxAttempts attempts all failed.
	JobFailed JobState = "failed"
	// JobDropped means fault injection discarded the job; nothing was sent.
	JobDropped JobState = "dropped"
	// JobCancelled means the webhook was deleted, disabled or put in error
	// before the job finished.
	JobCancelled JobState = "cancelled"
)

// DeliveryStatus is the outcome of one attempt (Confirmed: succeeded or failed).
type DeliveryStatus string

// Attempt outcomes.
const (
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
)

// DeliveryJob is one event queued for one webhook (WebhookDeliveryJob).
type DeliveryJob struct {
	// ID is the job's UUID.
	ID string
	// WebhookID and ApplicationID identify the target; the webhook may
	// since have been deleted.
	WebhookID     string
	ApplicationID string
	// EventID is the payload "id"; duplicates share it.
	EventID string
	// EventType is "<entity>:<action>".
	EventType string
	// URL is the webhook URL at queue time.
	URL string
	// Headers is a snapshot of the webhook's custom headers at queue time.
	Headers []Header
	// Payload is the exact JSON body sent.
	Payload string
	// Signature is the Cx-Signature header value sent with the payload.
	Signature string
	// Duplicate marks an extra copy created by fault injection.
	Duplicate bool
	// State summarises the attempts.
	State JobState
	// CreatedAt is when the event was queued.
	CreatedAt time.Time
	// Attempts are oldest first.
	Attempts []DeliveryAttempt
}

// DeliveryAttempt is one HTTP POST of a delivery job (WebhookDeliveryJobAttempt).
type DeliveryAttempt struct {
	// CreatedAt is when the attempt started.
	CreatedAt time.Time
	// DeliveryStatus is succeeded for a 2xx response, failed otherwise.
	DeliveryStatus DeliveryStatus
	// ResponseStatusCode is 0 when no response arrived.
	ResponseStatusCode int
	// ResponseHeaders is JSON mapping each header name to its list of values.
	ResponseHeaders string
	// ResponsePayload is the response body, truncated to 64 KiB.
	ResponsePayload string
	// Error describes a network error or timeout; empty when a response came.
	Error string
}
