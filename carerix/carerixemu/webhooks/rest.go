package webhooks

import (
	"encoding/json"
	"strings"
	"time"
)

// Wire shapes of the REST management API.

// restApplication is the JSON form of an Application.
type restApplication struct {
	Kind                  string                 `json:"_kind"`
	ID                    string                 `json:"_id"`
	Name                  string                 `json:"name"`
	SignatureVerification *restSignatureVerifier `json:"signatureVerification"`
	CreatedDateTime       string                 `json:"_createdDateTime"`
	UpdatedDateTime       string                 `json:"_updatedDateTime"`
}

// restSignatureVerifier is the JSON form of AsymmetricSignatureVerification.
type restSignatureVerifier struct {
	Kind      string `json:"_kind"`
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"publicKey"`
}

// restRef points to another resource.
type restRef struct {
	Kind string `json:"_kind"`
	ID   string `json:"_id"`
}

// restFilter is the JSON form of a Filter.
type restFilter struct {
	EventType string `json:"eventType"`
}

// restHeader is the JSON form of a Header.
type restHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// restWebhook is the JSON form of a Webhook.
type restWebhook struct {
	Kind            string       `json:"_kind"`
	ID              string       `json:"_id"`
	Application     restRef      `json:"application"`
	URL             string       `json:"url"`
	Filters         []restFilter `json:"filters"`
	CustomHeaders   []restHeader `json:"customHeaders"`
	Status          Status       `json:"status"`
	CreatedDateTime string       `json:"_createdDateTime"`
	UpdatedDateTime string       `json:"_updatedDateTime"`
}

// restError is the JSON error body (shape is an assumption).
type restError struct {
	Kind    string `json:"_kind"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// restApplicationCreate is the body of POST /applications.
type restApplicationCreate struct {
	Kind string `json:"_kind"`
	Name string `json:"name"`
}

// restWebhookCreate is the body of POST /applications/{id}/webhooks.
// Filters are decoded loosely so that unknown keys are ignored.
type restWebhookCreate struct {
	Kind          string                       `json:"_kind"`
	URL           string                       `json:"url"`
	Filters       []map[string]json.RawMessage `json:"filters"`
	CustomHeaders []restHeader                 `json:"customHeaders"`
}

// formatTime renders audit timestamps.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// toRESTApplication converts a to its JSON form.
// signatureVerification is null when the tenant signs with a global key.
func toRESTApplication(a Application) restApplication {
	out := restApplication{
		Kind:            "Application",
		ID:              a.ID,
		Name:            a.Name,
		CreatedDateTime: formatTime(a.CreatedAt),
		UpdatedDateTime: formatTime(a.UpdatedAt),
	}
	if a.PublicKeyPEM != "" {
		out.SignatureVerification = &restSignatureVerifier{
			Kind:      "AsymmetricSignatureVerification",
			Algorithm: a.Algorithm,
			PublicKey: a.PublicKeyPEM,
		}
	}
	return out
}

// toRESTWebhook converts w to its JSON form.
func toRESTWebhook(w Webhook) restWebhook {
	out := restWebhook{
		Kind:            "Webhook",
		ID:              w.ID,
		Application:     restRef{Kind: "Application", ID: w.ApplicationID},
		URL:             w.URL,
		Filters:         []restFilter{},
		CustomHeaders:   []restHeader{},
		Status:          w.Status,
		CreatedDateTime: formatTime(w.CreatedAt),
		UpdatedDateTime: formatTime(w.UpdatedAt),
	}
	for _, f := range w.Filters {
		out.Filters = append(out.Filters, restFilter(f))
	}
	for _, h := range w.CustomHeaders {
		out.CustomHeaders = append(out.CustomHeaders, restHeader(h))
	}
	return out
}

// fromRESTWebhookCreate converts a create body to a WebhookRequest. Only the
// eventType key of each filter is read; its value must be a string.
func fromRESTWebhookCreate(b restWebhookCreate) (WebhookRequest, error) {
	req := WebhookRequest{URL: b.URL}
	for i, f := range b.Filters {
		var et string
		if raw, ok := f["eventType"]; ok {
			if err := json.Unmarshal(raw, &et); err != nil {
				return WebhookRequest{}, invalidf("filters[%d].eventType must be a string", i)
			}
		}
		req.Filters = append(req.Filters, Filter{EventType: et})
	}
	for _, h := range b.CustomHeaders {
		req.CustomHeaders = append(req.CustomHeaders, Header(h))
	}
	return req, nil
}

// project marshals v and keeps only _kind, _id and the requested top-level
// fields. An empty fields list keeps only _kind and _id.
func project(v any, fields []string) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{"_kind": all["_kind"], "_id": all["_id"]}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out, nil
}

// parseFields splits a fields query parameter ("a,b" or repeated).
func parseFields(values []string) ([]string, bool) {
	if len(values) == 0 {
		return nil, false
	}
	var out []string
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out, true
}
