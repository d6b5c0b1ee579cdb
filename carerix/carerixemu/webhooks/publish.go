package webhooks

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Publish queues one delivery job per enabled webhook whose filters match
// the event type. It never blocks on delivery: background workers started
// by Start send the jobs. Events with an empty Entity or Action are
// ignored, as are deleted events when Options.DisableDeletedEvents is set.
// All jobs of one event share the payload id.
func (s *Service) Publish(ctx context.Context, ev Event) {
	if strings.TrimSpace(ev.Entity) == "" || strings.TrimSpace(ev.Action) == "" {
		s.opts.Logger.WarnContext(ctx, "ignoring webhook event without entity or action",
			"entity", ev.Entity, "action", ev.Action)
		return
	}
	if s.opts.DisableDeletedEvents && strings.EqualFold(ev.Action, "deleted") {
		return
	}
	s.publish(ctx, ev, ev.Type(), false)
}

// Broadcast queues an event typed eventType, verbatim, for every enabled
// webhook of the tenant whatever its filters: a test hook for events a
// consumer did not subscribe to or does not know. ev's Entity and Action
// are ignored; EntityID, ChangedFields, Time and Tenant fill the payload.
func (s *Service) Broadcast(ctx context.Context, eventType string, ev Event) {
	s.publish(ctx, ev, eventType, true)
}

// publish queues ev as eventType for the enabled webhooks whose filters
// match it, or for all enabled webhooks when all is set.
func (s *Service) publish(ctx context.Context, ev Event, eventType string, all bool) {
	at := ev.Time
	if at.IsZero() {
		at = s.now()
	}
	tenant := ev.Tenant
	if tenant == "" {
		tenant = s.opts.Tenant
	}
	changed := slices.Clone(ev.ChangedFields)
	if changed == nil {
		changed = []string{}
	}
	eventID := uuid.NewString()

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hid := range s.hookOrder {
		h := s.hooks[hid]
		if h.hook.Status != StatusEnabled || (!all && !h.hook.matches(eventType)) {
			continue
		}
		app := s.apps[h.hook.ApplicationID]
		body, err := json.Marshal(Payload{
			ID:            eventID,
			Time:          at.UTC().Format(time.RFC3339),
			Type:          eventType,
			ApplicationID: app.app.ID,
			WebhookID:     h.hook.ID,
			Tenant:        tenant,
			Data:          PayloadData{EntityID: ev.EntityID, ChangedFields: changed},
		})
		if err != nil {
			s.opts.Logger.ErrorContext(ctx, "encoding webhook payload", "webhook", hid, "err", err)
			continue
		}
		key := app.key
		if s.opts.GlobalSignatureKey {
			key = s.globalKey
		}
		if key == nil {
			s.opts.Logger.ErrorContext(ctx, "no key signs webhook payload", "webhook", hid)
			continue
		}
		sig, err := s.opts.Signer.Sign(key, body)
		if err != nil {
			s.opts.Logger.ErrorContext(ctx, "signing webhook payload", "webhook", hid, "err", err)
			continue
		}
		j := &job{DeliveryJob: DeliveryJob{
			ID:            uuid.NewString(),
			WebhookID:     h.hook.ID,
			ApplicationID: app.app.ID,
			EventID:       eventID,
			EventType:     eventType,
			URL:           h.hook.URL,
			Headers:       slices.Clone(h.hook.CustomHeaders),
			Payload:       string(body),
			Signature:     sig,
			State:         JobPending,
			CreatedAt:     s.now(),
		}}
		s.recordJobLocked(j)
		if s.takeDropLocked() {
			j.State = JobDropped
			s.notifyLocked()
			continue
		}
		copies := []*job{j}
		if s.takeDuplicateLocked() {
			d := &job{DeliveryJob: j.snapshot()}
			d.ID = uuid.NewString()
			d.Duplicate = true
			s.recordJobLocked(d)
			copies = append(copies, d)
		}
		for _, c := range copies {
			s.admitLocked(c)
		}
	}
}
