package carerix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// webhooksPath is the webhook management REST API below APIBaseURL.
const webhooksPath = "/webhooks/v1/applications"

// Field lists requested from list and get routes: without fields= Carerix
// returns only _kind and _id (third-party observation).
const (
	applicationFields = "name,signatureVerification,_createdDateTime,_updatedDateTime"
	webhookFields     = "application,url,filters,customHeaders,status,_createdDateTime,_updatedDateTime"
)

// MaxWebhookFilters is the number of filters per webhook third-party code
// reports Carerix accepts.
const MaxWebhookFilters = 10

// WebhookStatus is the state of a webhook (Carerix WebhookStatus enum).
type WebhookStatus string

// Webhook statuses.
const (
	WebhookEnabled  WebhookStatus = "enabled"
	WebhookDisabled WebhookStatus = "disabled"
	// WebhookError means Carerix switched the webhook off after failures.
	WebhookError WebhookStatus = "error"
)

// WebhookApplication owns webhooks and the key pair that signs their
// deliveries.
type WebhookApplication struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
	// SignatureVerification holds the public key; nil if not returned.
	SignatureVerification *SignatureVerification `json:"signatureVerification"`
	CreatedAt             time.Time              `json:"-"`
	UpdatedAt             time.Time              `json:"-"`
}

// UnmarshalJSON decodes the audit timestamps leniently.
func (a *WebhookApplication) UnmarshalJSON(b []byte) error {
	type plain WebhookApplication
	aux := struct {
		*plain
		Created jsonTime `json:"_createdDateTime"`
		Updated jsonTime `json:"_updatedDateTime"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = aux.Created.Time, aux.Updated.Time
	return nil
}

// SignatureVerification describes how deliveries are signed
// (AsymmetricSignatureVerification: algorithm plus a PEM public key).
type SignatureVerification struct {
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"publicKey"`
}

// WebhookFilter selects events by type, e.g. "cremployee:updated".
type WebhookFilter struct {
	EventType string `json:"eventType"`
}

// WebhookHeader is a custom header Carerix sends with every delivery.
type WebhookHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Webhook subscribes a URL to event types.
type Webhook struct {
	ID            string          `json:"_id"`
	ApplicationID string          `json:"-"`
	URL           string          `json:"url"`
	Filters       []WebhookFilter `json:"filters"`
	CustomHeaders []WebhookHeader `json:"customHeaders"`
	Status        WebhookStatus   `json:"status"`
	CreatedAt     time.Time       `json:"-"`
	UpdatedAt     time.Time       `json:"-"`
}

// UnmarshalJSON decodes the application reference and audit timestamps.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	type plain Webhook
	aux := struct {
		*plain
		Application *struct {
			ID string `json:"_id"`
		} `json:"application"`
		Created jsonTime `json:"_createdDateTime"`
		Updated jsonTime `json:"_updatedDateTime"`
	}{plain: (*plain)(w)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if aux.Application != nil {
		w.ApplicationID = aux.Application.ID
	}
	w.CreatedAt, w.UpdatedAt = aux.Created.Time, aux.Updated.Time
	return nil
}

// WebhookRequest describes a webhook to create. Carerix has no update:
// change a webhook by deleting and re-creating it.
type WebhookRequest struct {
	// URL receives the deliveries; it must be absolute https.
	URL string
	// Filters select event types; at least one, at most MaxWebhookFilters.
	Filters []WebhookFilter
	// CustomHeaders are sent with every delivery, e.g. a shared secret.
	// The names Cx-Signature, Cx-Payload-Schema-Version and Content-Type
	// are reserved.
	CustomHeaders []WebhookHeader
}

// validate checks r before it is sent.
func (r WebhookRequest) validate() error {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return fmt.Errorf("url %q must be an absolute https URL", r.URL)
	}
	if len(r.Filters) == 0 || len(r.Filters) > MaxWebhookFilters {
		return fmt.Errorf("%d filters: between 1 and %d are allowed", len(r.Filters), MaxWebhookFilters)
	}
	for _, f := range r.Filters {
		if !eventTypePattern.MatchString(f.EventType) {
			return fmt.Errorf("filter event type %q is not <entity>:<action>", f.EventType)
		}
	}
	for _, h := range r.CustomHeaders {
		if !isHeaderToken(h.Name) {
			return fmt.Errorf("custom header name %q is not a valid header name", h.Name)
		}
		switch strings.ToLower(h.Name) {
		case "cx-signature", "cx-payload-schema-version", "content-type":
			return fmt.Errorf("custom header name %q is reserved by Carerix", h.Name)
		}
		if strings.ContainsAny(h.Value, "\r\n\x00") {
			return fmt.Errorf("custom header %q: value contains a line break or NUL", h.Name)
		}
	}
	return nil
}

// isHeaderToken reports whether s is an RFC 9110 token.
func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= 0x20 || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// CreateWebhookApplication creates an application named name.
func (c *Client) CreateWebhookApplication(ctx context.Context, name string) (*WebhookApplication, error) {
	const op = "CreateWebhookApplication"
	if strings.TrimSpace(name) == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "application name is required"}
	}
	body, err := json.Marshal(map[string]string{"_kind": "Application", "name": name})
	if err != nil {
		return nil, fmt.Errorf("carerix %s: encoding request: %w", op, err)
	}
	var out WebhookApplication
	if err := c.rest(ctx, op, http.MethodPost, webhooksPath, body, false, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WebhookApplications lists all applications with their names and keys.
func (c *Client) WebhookApplications(ctx context.Context) ([]WebhookApplication, error) {
	var out []WebhookApplication
	if err := c.rest(ctx, "WebhookApplications", http.MethodGet, webhooksPath+"?fields="+applicationFields, nil, true, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// WebhookApplication reads one application.
func (c *Client) WebhookApplication(ctx context.Context, appID string) (*WebhookApplication, error) {
	var out WebhookApplication
	if err := c.rest(ctx, "WebhookApplication", http.MethodGet, appPath(appID)+"?fields="+applicationFields, nil, true, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhookApplication deletes an application and its webhooks.
func (c *Client) DeleteWebhookApplication(ctx context.Context, appID string) error {
	return c.rest(ctx, "DeleteWebhookApplication", http.MethodDelete, appPath(appID), nil, true, nil)
}

// WebhookSignatureKey returns the key that verifies the application's
// deliveries: signatureVerification on the application (documented);
// where that is empty, the tenant-wide key at /webhooks/v1/signature-key
// (what code run on tenants reads); failing that, the application's own
// signature-key route (WebhookSignatureKeyRoute).
func (c *Client) WebhookSignatureKey(ctx context.Context, appID string) (*SignatureVerification, error) {
	app, err := c.WebhookApplication(ctx, appID)
	if err != nil {
		return nil, err
	}
	if app.SignatureVerification != nil && app.SignatureVerification.PublicKey != "" {
		return app.SignatureVerification, nil
	}
	key, err := c.GlobalSignatureKey(ctx)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrProtocol) {
		return nil, err
	}
	return c.WebhookSignatureKeyRoute(ctx, appID)
}

// GlobalSignatureKey reads the tenant-wide webhook signing key at
// /webhooks/v1/signature-key: JSON {algorithm, publicKey}, or the PEM
// itself. Carerix does not document the route; third-party code reads it.
func (c *Client) GlobalSignatureKey(ctx context.Context) (*SignatureVerification, error) {
	const op = "GlobalSignatureKey"
	resp, err := c.do(ctx, apiRequest{op: op, method: http.MethodGet, path: "/webhooks/v1/signature-key", idempotent: true})
	if err != nil {
		return nil, err
	}
	body := strings.TrimSpace(string(resp.body))
	var out SignatureVerification
	switch {
	case strings.HasPrefix(body, "-----BEGIN"):
		out.PublicKey = body
	case json.Unmarshal(resp.body, &out) != nil:
		return nil, &Error{Kind: ErrProtocol, Op: op, StatusCode: resp.status, Message: "neither JSON nor a PEM key"}
	}
	if out.PublicKey == "" {
		return nil, &Error{Kind: ErrNotFound, Op: op, Message: "no public key"}
	}
	return &out, nil
}

// WebhookSignatureKeyRoute reads the key from
// /webhooks/v1/applications/{id}/signature-key. Carerix does not document
// this route (the emulator serves it; third-party code expects a global
// /webhooks/v1/signature-key), so prefer WebhookSignatureKey.
func (c *Client) WebhookSignatureKeyRoute(ctx context.Context, appID string) (*SignatureVerification, error) {
	const op = "WebhookSignatureKeyRoute"
	var out SignatureVerification
	if err := c.rest(ctx, op, http.MethodGet, appPath(appID)+"/signature-key", nil, true, &out); err != nil {
		return nil, err
	}
	if out.PublicKey == "" {
		return nil, &Error{Kind: ErrNotFound, Op: op, Message: "application has no public key"}
	}
	return &out, nil
}

// CreateWebhook creates a webhook in application appID.
func (c *Client) CreateWebhook(ctx context.Context, appID string, r WebhookRequest) (*Webhook, error) {
	const op = "CreateWebhook"
	if err := r.validate(); err != nil {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Err: err}
	}
	filters := r.Filters
	headers := r.CustomHeaders
	if headers == nil {
		headers = []WebhookHeader{}
	}
	body, err := json.Marshal(struct {
		Kind          string          `json:"_kind"`
		URL           string          `json:"url"`
		Filters       []WebhookFilter `json:"filters"`
		CustomHeaders []WebhookHeader `json:"customHeaders"`
	}{"Webhook", r.URL, filters, headers})
	if err != nil {
		return nil, fmt.Errorf("carerix %s: encoding request: %w", op, err)
	}
	var out Webhook
	if err := c.rest(ctx, op, http.MethodPost, appPath(appID)+"/webhooks", body, false, &out); err != nil {
		return nil, err
	}
	if out.ApplicationID == "" {
		out.ApplicationID = appID
	}
	return &out, nil
}

// Webhooks lists the webhooks of application appID.
func (c *Client) Webhooks(ctx context.Context, appID string) ([]Webhook, error) {
	var out []Webhook
	if err := c.rest(ctx, "Webhooks", http.MethodGet, appPath(appID)+"/webhooks?fields="+webhookFields, nil, true, &out); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].ApplicationID == "" {
			out[i].ApplicationID = appID
		}
	}
	return out, nil
}

// Webhook reads one webhook.
func (c *Client) Webhook(ctx context.Context, appID, id string) (*Webhook, error) {
	var out Webhook
	if err := c.rest(ctx, "Webhook", http.MethodGet, hookPath(appID, id)+"?fields="+webhookFields, nil, true, &out); err != nil {
		return nil, err
	}
	if out.ApplicationID == "" {
		out.ApplicationID = appID
	}
	return &out, nil
}

// EnableWebhook switches a webhook on (also out of the error state).
func (c *Client) EnableWebhook(ctx context.Context, appID, id string) error {
	return c.rest(ctx, "EnableWebhook", http.MethodPost, hookPath(appID, id)+"/enable", nil, true, nil)
}

// DisableWebhook switches a webhook off.
func (c *Client) DisableWebhook(ctx context.Context, appID, id string) error {
	return c.rest(ctx, "DisableWebhook", http.MethodPost, hookPath(appID, id)+"/disable", nil, true, nil)
}

// DeleteWebhook deletes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, appID, id string) error {
	return c.rest(ctx, "DeleteWebhook", http.MethodDelete, hookPath(appID, id), nil, true, nil)
}

// appPath is the path of one application; ids are escaped as opaque.
func appPath(appID string) string { return webhooksPath + "/" + url.PathEscape(appID) }

// hookPath is the path of one webhook.
func hookPath(appID, id string) string { return appPath(appID) + "/webhooks/" + url.PathEscape(id) }

// rest performs one management call and decodes a JSON response into out
// (when out is non-nil and the response has a body).
func (c *Client) rest(ctx context.Context, op, method, path string, body []byte, idempotent bool, out any) error {
	if strings.Contains(path, "//") || strings.HasSuffix(strings.SplitN(path, "?", 2)[0], "/") {
		return &Error{Kind: ErrBadRequest, Op: op, Message: "empty id"}
	}
	resp, err := c.do(ctx, apiRequest{op: op, method: method, path: path, body: body, idempotent: idempotent})
	if err != nil {
		return err
	}
	if out == nil || len(strings.TrimSpace(string(resp.body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return &Error{Kind: ErrProtocol, Op: op, StatusCode: resp.status, Message: "decoding response", Err: err}
	}
	return nil
}
