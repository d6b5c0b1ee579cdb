package webhooks

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// CreateWebhook validates req and creates a webhook under application appID.
// Returns errors wrapping ErrNotFound (unknown application) or ErrInvalid.
func (s *Service) CreateWebhook(_ context.Context, appID string, req WebhookRequest) (Webhook, error) {
	clean, err := s.validateWebhookRequest(req)
	if err != nil {
		return Webhook{}, err
	}
	now := s.now()
	w := Webhook{
		ID:            uuid.NewString(),
		ApplicationID: appID,
		URL:           clean.URL,
		Filters:       clean.Filters,
		CustomHeaders: clean.CustomHeaders,
		Status:        StatusEnabled,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if s.opts.CreateDisabled {
		w.Status = StatusDisabled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[appID]; !ok {
		return Webhook{}, notFoundf("application %q", appID)
	}
	s.hooks[w.ID] = &hookRecord{hook: w}
	s.hookOrder = append(s.hookOrder, w.ID)
	return cloneWebhook(w), nil
}

// Webhooks returns the webhooks of application appID in creation order, or
// an error wrapping ErrNotFound.
func (s *Service) Webhooks(_ context.Context, appID string) ([]Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[appID]; !ok {
		return nil, notFoundf("application %q", appID)
	}
	out := []Webhook{}
	for _, id := range s.hookOrder {
		if h := s.hooks[id]; h.hook.ApplicationID == appID {
			out = append(out, cloneWebhook(h.hook))
		}
	}
	return out, nil
}

// Webhook returns webhook id of application appID, or an error wrapping
// ErrNotFound.
func (s *Service) Webhook(_ context.Context, appID, id string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.hookLocked(appID, id)
	if err != nil {
		return Webhook{}, err
	}
	return cloneWebhook(h.hook), nil
}

// SetWebhookStatus sets the status of webhook id. Setting StatusEnabled
// also clears the delivery-health window, so a webhook in error can be
// re-enabled. Returns errors wrapping ErrNotFound or ErrInvalid.
func (s *Service) SetWebhookStatus(_ context.Context, appID, id string, status Status) error {
	if !status.valid() {
		return invalidf("unknown webhook status %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.hookLocked(appID, id)
	if err != nil {
		return err
	}
	if status == StatusEnabled {
		h.resetHealthLocked()
	}
	if h.hook.Status != status {
		h.hook.Status = status
		h.hook.UpdatedAt = s.now()
	}
	return nil
}

// DeleteWebhook deletes webhook id of application appID. Its delivery jobs
// are kept; pending ones are cancelled. Returns an error wrapping
// ErrNotFound.
func (s *Service) DeleteWebhook(_ context.Context, appID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.hookLocked(appID, id); err != nil {
		return err
	}
	delete(s.hooks, id)
	s.hookOrder = removeID(s.hookOrder, id)
	return nil
}

// hookLocked finds webhook id under application appID; s.mu must be held.
func (s *Service) hookLocked(appID, id string) (*hookRecord, error) {
	if _, ok := s.apps[appID]; !ok {
		return nil, notFoundf("application %q", appID)
	}
	h, ok := s.hooks[id]
	if !ok || h.hook.ApplicationID != appID {
		return nil, notFoundf("webhook %q in application %q", id, appID)
	}
	return h, nil
}

// cloneWebhook copies w so callers cannot alias the stored slices.
func cloneWebhook(w Webhook) Webhook {
	w.Filters = slices.Clone(w.Filters)
	w.CustomHeaders = slices.Clone(w.CustomHeaders)
	return w
}
