package webhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBodyBytes bounds management request bodies.
const maxBodyBytes = 1 << 20

// apiPrefix is where the core mounts Handler, unstripped.
const apiPrefix = "/webhooks/v1"

// Handler returns the REST management API. It expects the full request
// path, starting with /webhooks/v1/. Routes:
//
//	POST   /webhooks/v1/applications[/]                          create application
//	GET    /webhooks/v1/applications[/]?fields=name              list applications
//	GET    /webhooks/v1/applications/{appId}[?fields=...]         one application
//	DELETE /webhooks/v1/applications/{appId}                     delete application
//	GET    /webhooks/v1/applications/{appId}/signature-key       public key (emulator route)
//	GET    /webhooks/v1/signature-key                            global key {algorithm, publicKey}; 404 without one
//	POST   /webhooks/v1/applications/{appId}/webhooks[/]          create webhook
//	GET    /webhooks/v1/applications/{appId}/webhooks[/]?fields=  list webhooks
//	GET    /webhooks/v1/applications/{appId}/webhooks/{id}        one webhook
//	POST   /webhooks/v1/applications/{appId}/webhooks/{id}/enable
//	POST   /webhooks/v1/applications/{appId}/webhooks/{id}/disable
//	DELETE /webhooks/v1/applications/{appId}/webhooks/{id}
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	apps := apiPrefix + "/applications"
	app := apps + "/{appId}"
	hooks := app + "/webhooks"
	hook := hooks + "/{id}"
	route := func(method, path string, scopes []string, h http.HandlerFunc) {
		mux.Handle(method+" "+path, s.guard(scopes, h))
	}
	route("POST", apps, applicationsManageScopes, s.handleCreateApplication)
	route("POST", apps+"/{$}", applicationsManageScopes, s.handleCreateApplication)
	route("GET", apps, applicationsReadScopes, s.handleListApplications)
	route("GET", apps+"/{$}", applicationsReadScopes, s.handleListApplications)
	route("GET", app, applicationsReadScopes, s.handleGetApplication)
	route("DELETE", app, applicationsManageScopes, s.handleDeleteApplication)
	route("GET", app+"/signature-key", applicationsReadScopes, s.handleSignatureKey)
	route("GET", apiPrefix+"/signature-key", applicationsReadScopes, s.handleGlobalSignatureKey)
	route("POST", hooks, webhooksManageScopes, s.handleCreateWebhook)
	route("POST", hooks+"/{$}", webhooksManageScopes, s.handleCreateWebhook)
	route("GET", hooks, webhooksReadScopes, s.handleListWebhooks)
	route("GET", hooks+"/{$}", webhooksReadScopes, s.handleListWebhooks)
	route("GET", hook, webhooksReadScopes, s.handleGetWebhook)
	route("POST", hook+"/enable", webhooksManageScopes, s.handleSetStatus(StatusEnabled))
	route("POST", hook+"/disable", webhooksManageScopes, s.handleSetStatus(StatusDisabled))
	route("DELETE", hook, webhooksManageScopes, s.handleDeleteWebhook)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// guard runs h only when the request is authorised for one of scopes.
func (s *Service) guard(scopes []string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, msg, ok := s.authorize(r, scopes); !ok {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer`)
			}
			writeError(w, status, msg)
			return
		}
		h(w, r)
	})
}

func (s *Service) handleCreateApplication(w http.ResponseWriter, r *http.Request) {
	var body restApplicationCreate
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Kind != "" && body.Kind != "Application" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("_kind must be \"Application\", got %q", body.Kind))
		return
	}
	a, err := s.CreateApplication(r.Context(), body.Name)
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toRESTApplication(a))
}

func (s *Service) handleListApplications(w http.ResponseWriter, r *http.Request) {
	fields, _ := parseFields(r.URL.Query()["fields"])
	out := []map[string]json.RawMessage{}
	for _, a := range s.Applications(r.Context()) {
		p, err := project(toRESTApplication(a), fields)
		if err != nil {
			s.writeServiceError(w, r, fmt.Errorf("projecting application: %w", err))
			return
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) handleGetApplication(w http.ResponseWriter, r *http.Request) {
	a, err := s.Application(r.Context(), r.PathValue("appId"))
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	s.writeOne(w, r, toRESTApplication(a))
}

func (s *Service) handleDeleteApplication(w http.ResponseWriter, r *http.Request) {
	if err := s.DeleteApplication(r.Context(), r.PathValue("appId")); err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleSignatureKey serves an application's key, or the global key that
// signs its deliveries.
func (s *Service) handleSignatureKey(w http.ResponseWriter, r *http.Request) {
	a, err := s.Application(r.Context(), r.PathValue("appId"))
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	if s.opts.GlobalSignatureKey {
		s.handleGlobalSignatureKey(w, r)
		return
	}
	writeJSON(w, http.StatusOK, toRESTApplication(a).SignatureVerification)
}

func (s *Service) handleGlobalSignatureKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.SignatureKey(r.Context())
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Service) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var body restWebhookCreate
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Kind != "" && body.Kind != "Webhook" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("_kind must be \"Webhook\", got %q", body.Kind))
		return
	}
	req, err := fromRESTWebhookCreate(body)
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	hook, err := s.CreateWebhook(r.Context(), r.PathValue("appId"), req)
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toRESTWebhook(hook))
}

func (s *Service) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	hooks, err := s.Webhooks(r.Context(), r.PathValue("appId"))
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	fields, _ := parseFields(r.URL.Query()["fields"])
	out := []map[string]json.RawMessage{}
	for _, h := range hooks {
		p, err := project(toRESTWebhook(h), fields)
		if err != nil {
			s.writeServiceError(w, r, fmt.Errorf("projecting webhook: %w", err))
			return
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) handleGetWebhook(w http.ResponseWriter, r *http.Request) {
	h, err := s.Webhook(r.Context(), r.PathValue("appId"), r.PathValue("id"))
	if err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	s.writeOne(w, r, toRESTWebhook(h))
}

func (s *Service) handleSetStatus(status Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		appID, id := r.PathValue("appId"), r.PathValue("id")
		if err := s.SetWebhookStatus(r.Context(), appID, id, status); err != nil {
			s.writeServiceError(w, r, err)
			return
		}
		h, err := s.Webhook(r.Context(), appID, id)
		if err != nil {
			s.writeServiceError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toRESTWebhook(h))
	}
}

func (s *Service) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.DeleteWebhook(r.Context(), r.PathValue("appId"), r.PathValue("id")); err != nil {
		s.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeOne writes a single resource, projected when ?fields= is present.
func (s *Service) writeOne(w http.ResponseWriter, r *http.Request, v any) {
	fields, ok := parseFields(r.URL.Query()["fields"])
	if !ok {
		writeJSON(w, http.StatusOK, v)
		return
	}
	p, err := project(v, fields)
	if err != nil {
		s.writeServiceError(w, r, fmt.Errorf("projecting resource: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// decodeBody reads a JSON body into dst, answering 400 on failure.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("reading request body: %v", err))
		return false
	}
	if err := json.Unmarshal(data, dst); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("request body is not valid JSON: %v", err))
		return false
	}
	return true
}

// writeServiceError maps a Service error to a status and writes it.
func (s *Service) writeServiceError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.opts.Logger.ErrorContext(r.Context(), "webhook management request failed",
			"method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

// writeError writes a JSON error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, restError{Kind: "Error", Status: status, Message: msg})
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
