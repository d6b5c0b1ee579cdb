package carerixemu

import (
	"context"
	"net/http"
	"strings"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// adminRoute registers one admin route ("METHOD /path").
type adminRoute func(pattern string, fn func(w http.ResponseWriter, r *http.Request) (any, error))

// registerAdminOthers adds the admin routes of the entities the product
// does not sync (companies, placements, publications) and the event hook.
func (s *Server) registerAdminOthers(h adminRoute) {
	adminEntity(h, "/companies", s.Companies, s.Company, s.CreateCompany, s.UpdateCompany)
	adminEntity(h, "/jobs", s.Jobs, s.Job, s.CreateJob, s.UpdateJob)
	adminEntity(h, "/publications", s.Publications, s.Publication, s.CreatePublication, s.UpdatePublication)
	h("POST /events", s.adminEvent)
}

// adminEntity registers GET list, POST (create, 201), GET /{id} and PATCH
// /{id} (update) of one entity.
func adminEntity[F, T any](h adminRoute, path string, list func() []T, get func(string) (T, error),
	create func(ctx context.Context, f F) (T, error), update func(ctx context.Context, id string, f F) (T, error)) {
	h("GET "+path, func(http.ResponseWriter, *http.Request) (any, error) { return list(), nil })
	h("POST "+path, func(w http.ResponseWriter, r *http.Request) (any, error) {
		var f F
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		v, err := create(r.Context(), f)
		if err == nil {
			w.WriteHeader(http.StatusCreated)
		}
		return v, err
	})
	h("GET "+path+"/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return get(r.PathValue("id"))
	})
	h("PATCH "+path+"/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var f F
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		return update(r.Context(), r.PathValue("id"), f)
	})
}

// adminEventBody is the body of POST /_emulator/events.
type adminEventBody struct {
	// Type is the event type sent verbatim, e.g. "CRContact:created".
	Type          string   `json:"type"`
	EntityID      string   `json:"entityId"`
	ChangedFields []string `json:"changedFields,omitempty"`
}

// adminEvent publishes an arbitrary event to every enabled webhook of the
// tenant, whatever its filters (webhooks.Service.Broadcast).
func (s *Server) adminEvent(w http.ResponseWriter, r *http.Request) (any, error) {
	var b adminEventBody
	if err := decodeJSON(r, &b); err != nil {
		return nil, err
	}
	if strings.TrimSpace(b.Type) == "" {
		return nil, invalid("type is required")
	}
	s.hooks.Broadcast(r.Context(), b.Type, webhooks.Event{EntityID: b.EntityID, ChangedFields: b.ChangedFields, Tenant: s.opts.Tenant})
	w.WriteHeader(http.StatusAccepted)
	return b, nil
}
