package carerix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// WebhookEvent is one webhook delivery from Carerix: a thin notification
// carrying ids and changed field names, not the record itself. Consumers
// re-read the entity by EntityID. Delivery is at least once and unordered,
// so de-duplicate on ID.
//
// The payload shape is a third-party reading of Carerix's docs:
//
//	{"id":"…","time":"2024-02-14T14:24:40Z","type":"crmatch:updated",
//	 "applicationId":"…","webhookId":"…","tenant":"confair",
//	 "data":{"entityId":"2.3","changedFields":["statusinfo"]}}
type WebhookEvent struct {
	// ID is the event id (a UUID); the idempotency key.
	ID string
	// Time is when Carerix recorded the change.
	Time time.Time
	// Type is the raw event type, e.g. "crmatch:updated".
	Type string
	// Entity is the lower-cased entity part of Type, e.g. "crmatch".
	Entity string
	// Action is the lower-cased action part of Type, e.g. "updated".
	Action string
	// ApplicationID and WebhookID identify the subscription that fired.
	ApplicationID string
	WebhookID     string
	// Tenant is the Carerix tenant (application) name.
	Tenant string
	// EntityID is the changed record's _id (opaque; may be compound,
	// e.g. "2.3").
	EntityID string
	// ChangedFields lists the changed attribute names as sent (Carerix
	// sends them lower-cased); empty for creations.
	ChangedFields []string
}

// Limits enforced by ParseWebhookEvent.
const (
	maxEventIDLen      = 200
	maxEventFieldCount = 1000
	maxEventFieldLen   = 200
)

// eventTypePattern is "<entity>:<action>", letters, digits and '_' only.
var eventTypePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*:[A-Za-z][A-Za-z0-9_]*$`)

// webhookPayload mirrors the JSON body.
type webhookPayload struct {
	ID            *string  `json:"id"`
	Time          *string  `json:"time"`
	Type          *string  `json:"type"`
	ApplicationID *string  `json:"applicationId"`
	WebhookID     *string  `json:"webhookId"`
	Tenant        *string  `json:"tenant"`
	Data          *payData `json:"data"`
}

type payData struct {
	EntityID      *string  `json:"entityId"`
	ChangedFields []string `json:"changedFields"`
}

// ParseWebhookEvent parses a raw webhook body. The caller bounds the body
// size before calling. Parsing is strict about what the product relies on:
// the body must be exactly one JSON object; id, type and data.entityId must
// be present, non-empty strings of bounded length without control
// characters; type must be "<entity>:<action>"; time, when present, must
// parse. Unknown fields are ignored so an additive payload schema change
// does not stop event processing.
func ParseWebhookEvent(body []byte) (WebhookEvent, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return WebhookEvent{}, errors.New("parsing webhook event: body is not a JSON object")
	}
	var p webhookPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return WebhookEvent{}, fmt.Errorf("parsing webhook event: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return WebhookEvent{}, errors.New("parsing webhook event: data after the JSON object")
	}
	var ev WebhookEvent
	var err error
	if ev.ID, err = requiredString("id", p.ID); err != nil {
		return WebhookEvent{}, err
	}
	if ev.Type, err = requiredString("type", p.Type); err != nil {
		return WebhookEvent{}, err
	}
	if !eventTypePattern.MatchString(ev.Type) {
		return WebhookEvent{}, fmt.Errorf("parsing webhook event: type %q is not <entity>:<action>", ev.Type)
	}
	entity, action, _ := strings.Cut(strings.ToLower(ev.Type), ":")
	ev.Entity, ev.Action = entity, action
	if p.Data == nil {
		return WebhookEvent{}, errors.New("parsing webhook event: data is missing")
	}
	if ev.EntityID, err = requiredString("data.entityId", p.Data.EntityID); err != nil {
		return WebhookEvent{}, err
	}
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{
		{"applicationId", p.ApplicationID, &ev.ApplicationID},
		{"webhookId", p.WebhookID, &ev.WebhookID},
		{"tenant", p.Tenant, &ev.Tenant},
	} {
		if f.src == nil {
			continue
		}
		if err := checkText(f.name, *f.src); err != nil {
			return WebhookEvent{}, err
		}
		*f.dst = *f.src
	}
	if p.Time != nil && *p.Time != "" {
		t, err := ParseTime(*p.Time)
		if err != nil {
			return WebhookEvent{}, fmt.Errorf("parsing webhook event: time: %w", err)
		}
		ev.Time = t
	}
	if len(p.Data.ChangedFields) > maxEventFieldCount {
		return WebhookEvent{}, fmt.Errorf("parsing webhook event: %d changed fields exceed %d", len(p.Data.ChangedFields), maxEventFieldCount)
	}
	for _, f := range p.Data.ChangedFields {
		if f == "" {
			return WebhookEvent{}, errors.New("parsing webhook event: empty changed field name")
		}
		if err := checkText("changedFields", f); err != nil {
			return WebhookEvent{}, err
		}
	}
	if len(p.Data.ChangedFields) > 0 {
		ev.ChangedFields = p.Data.ChangedFields
	}
	return ev, nil
}

// requiredString returns *s after checkText, failing when s is absent or
// empty.
func requiredString(name string, s *string) (string, error) {
	if s == nil || *s == "" {
		return "", fmt.Errorf("parsing webhook event: %s is missing", name)
	}
	if err := checkText(name, *s); err != nil {
		return "", err
	}
	return *s, nil
}

// checkText rejects over-long values and control characters, which never
// occur in ids, names or tenant names and would end up in logs and keys.
func checkText(name, s string) error {
	limit := maxEventFieldLen
	if name == "id" || name == "data.entityId" {
		limit = maxEventIDLen
	}
	if len(s) > limit {
		return fmt.Errorf("parsing webhook event: %s longer than %d bytes", name, limit)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("parsing webhook event: %s contains a control or invalid character", name)
		}
	}
	return nil
}
