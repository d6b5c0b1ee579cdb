package webhooks

import (
	"context"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// maxNameLen bounds application names.
const maxNameLen = 255

// CreateApplication creates an application named name with a new key pair.
// Returns an error wrapping ErrInvalid for an empty or overlong name.
func (s *Service) CreateApplication(ctx context.Context, name string) (Application, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Application{}, invalidf("application name is required")
	case len(name) > maxNameLen:
		return Application{}, invalidf("application name is longer than %d bytes", maxNameLen)
	}
	app := Application{ID: uuid.NewString(), Name: name}
	var key *rsa.PrivateKey
	var err error
	if s.opts.GlobalSignatureKey {
		// Deliveries of this application are signed with the global key.
		if _, err = s.globalSigningKey(ctx); err != nil {
			return Application{}, fmt.Errorf("creating application %q: %w", name, err)
		}
	} else {
		if key, err = s.opts.Keys.Key(ctx); err != nil {
			return Application{}, fmt.Errorf("creating application %q: %w", name, err)
		}
		if app.PublicKeyPEM, err = PublicKeyPEM(key); err != nil {
			return Application{}, fmt.Errorf("creating application %q: %w", name, err)
		}
		app.Algorithm = s.opts.Signer.Algorithm()
	}
	now := s.now()
	app.CreatedAt, app.UpdatedAt = now, now
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[app.ID] = &appRecord{app: app, key: key}
	s.appOrder = append(s.appOrder, app.ID)
	return app, nil
}

// Applications returns all applications in creation order.
func (s *Service) Applications(context.Context) []Application {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Application, 0, len(s.appOrder))
	for _, id := range s.appOrder {
		out = append(out, s.apps[id].app)
	}
	return out
}

// Application returns the application with the given id, or an error
// wrapping ErrNotFound.
func (s *Service) Application(_ context.Context, id string) (Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[id]
	if !ok {
		return Application{}, notFoundf("application %q", id)
	}
	return a.app, nil
}

// DeleteApplication deletes the application and all its webhooks. Delivery
// jobs are kept (their webhook is gone); pending ones are cancelled.
// Returns an error wrapping ErrNotFound for an unknown id.
func (s *Service) DeleteApplication(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[id]; !ok {
		return notFoundf("application %q", id)
	}
	delete(s.apps, id)
	s.appOrder = removeID(s.appOrder, id)
	kept := s.hookOrder[:0]
	for _, hid := range s.hookOrder {
		if s.hooks[hid].hook.ApplicationID == id {
			delete(s.hooks, hid)
			continue
		}
		kept = append(kept, hid)
	}
	s.hookOrder = kept
	return nil
}

// removeID returns ids without id, reusing its storage.
func removeID(ids []string, id string) []string {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
