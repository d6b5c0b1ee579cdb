package waemu

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
)

const maxAdminBodyBytes = 64 << 10

// adminError is the body of a failed admin request.
type adminError struct {
	Error string `json:"error"`
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{"invalid JSON: " + err.Error()})
		return false
	}
	return true
}

// handleInboundCreate serves POST /_emulator/inbound.
func (e *Emulator) handleInboundCreate(w http.ResponseWriter, r *http.Request) {
	var in Inbound
	if !decodeAdmin(w, r, &in) {
		return
	}
	rec, err := e.SimulateInbound(in)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, rec)
}

// handleInboundList serves GET /_emulator/inbound.
func (e *Emulator) handleInboundList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.InboundMessages())
}

// handleSentList serves GET /_emulator/messages, optionally filtered by ?to=.
func (e *Emulator) handleSentList(w http.ResponseWriter, r *http.Request) {
	all := e.SentMessages()
	to := r.URL.Query().Get("to")
	if to == "" {
		writeJSON(w, http.StatusOK, all)
		return
	}
	want, _ := normalizeNumber(to)
	out := []SentMessage{}
	for _, m := range all {
		if m.To == want {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleTemplateList serves GET /_emulator/templates.
func (e *Emulator) handleTemplateList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Templates())
}

// handleTemplateCreate serves POST /_emulator/templates.
func (e *Emulator) handleTemplateCreate(w http.ResponseWriter, r *http.Request) {
	var t Template
	if !decodeAdmin(w, r, &t) {
		return
	}
	if err := e.RegisterTemplate(t); err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeliveryList serves GET /_emulator/deliveries.
func (e *Emulator) handleDeliveryList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Deliveries())
}

// handleFaultCreate serves POST /_emulator/faults.
func (e *Emulator) handleFaultCreate(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if !decodeAdmin(w, r, &f) {
		return
	}
	if err := e.FailNextSend(f); err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Webhook is the body of POST /_emulator/subscribe: what an admin enters
// in Meta's app dashboard (WhatsApp > Configuration > Webhook). Empty
// fields keep what the emulator has.
type Webhook struct {
	CallbackURL string `json:"callback_url"`
	VerifyToken string `json:"verify_token"`
}

// handleSubscribe serves POST /_emulator/subscribe, with an optional JSON
// Webhook body.
func (e *Emulator) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	var hook Webhook
	if r.ContentLength != 0 && !decodeAdmin(w, r, &hook) {
		return
	}
	if hook.CallbackURL != "" || hook.VerifyToken != "" {
		if hook.CallbackURL != "" {
			if u, err := url.Parse(hook.CallbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				writeJSON(w, http.StatusBadRequest, adminError{"callback_url must be an absolute http(s) URL"})
				return
			}
		}
		// What was not given stays as it was, in one locked step.
		e.mu.Lock()
		e.webhookURL, e.verifyToken = cmp.Or(hook.CallbackURL, e.webhookURL), cmp.Or(hook.VerifyToken, e.verifyToken)
		e.mu.Unlock()
	}
	if err := e.Subscribe(r.Context()); err != nil {
		writeJSON(w, http.StatusBadGateway, adminError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
