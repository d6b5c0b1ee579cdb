package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// DefaultBaseURL is the Graph API host used when Config.BaseURL is empty.
const DefaultBaseURL = "https://graph.facebook.com"

// DefaultTimeout bounds one API request when Config.Timeout is zero.
const DefaultTimeout = 20 * time.Second

// maxResponseBytes bounds how much of a response body the client reads.
const maxResponseBytes = 1 << 20

var (
	apiVersionRE    = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,3}$`)
	phoneNumberIDRE = regexp.MustCompile(`^[0-9]{1,32}$`)
)

// Config configures a [Client] for one business phone number.
type Config struct {
	// BaseURL is the Graph API origin; DefaultBaseURL when empty. Tests and
	// the demo point it at the emulator.
	BaseURL string
	// APIVersion is the Graph API version path segment, e.g. "v21.0".
	APIVersion string
	// PhoneNumberID is the business phone number id (digits), not the
	// phone number itself.
	PhoneNumberID string
	// AccessToken is the system-user or business token sent as a bearer token.
	AccessToken string
	// HTTPClient sends the requests; a new http.Client when nil.
	HTTPClient *http.Client
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration
}

// Client calls the WhatsApp Cloud API for one business phone number. It is
// safe for concurrent use.
type Client struct {
	base     string // origin and version: https://graph.facebook.com/v21.0
	phoneID  string
	endpoint string // the messages endpoint
	token    string
	http     *http.Client
	timeout  time.Duration
}

// NewClient validates cfg and returns a client.
func NewClient(cfg Config) (*Client, error) {
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("whatsapp: base URL %q must be an absolute http(s) URL", base)
	}
	if !apiVersionRE.MatchString(cfg.APIVersion) {
		return nil, fmt.Errorf("whatsapp: API version %q must look like v21.0", cfg.APIVersion)
	}
	if !phoneNumberIDRE.MatchString(cfg.PhoneNumberID) {
		return nil, fmt.Errorf("whatsapp: phone number id %q must be digits", cfg.PhoneNumberID)
	}
	if cfg.AccessToken == "" {
		return nil, errors.New("whatsapp: access token is required")
	}
	versioned, err := url.JoinPath(base, cfg.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: building endpoint: %w", err)
	}
	endpoint, err := url.JoinPath(versioned, cfg.PhoneNumberID, "messages")
	if err != nil {
		return nil, fmt.Errorf("whatsapp: building endpoint: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{base: versioned, phoneID: cfg.PhoneNumberID, endpoint: endpoint, token: cfg.AccessToken,
		http: hc, timeout: timeout}, nil
}

// post sends payload as JSON to the messages endpoint and decodes a 2xx
// response into out. Non-2xx responses become *APIError; transport failures
// become *NetworkError unless the caller's context ended first.
func (c *Client) post(ctx context.Context, payload, out any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encoding request: %w", err)
	}
	return c.do(ctx, http.MethodPost, c.endpoint, "application/json", bytes.NewReader(body), out, "POST messages")
}

// get reads a Graph API object at path (below the version) with query.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	u, err := url.JoinPath(c.base, path)
	if err != nil {
		return fmt.Errorf("building URL: %w", err)
	}
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return c.do(ctx, http.MethodGet, u, "", nil, out, "GET "+path)
}

// do sends one authorised request and decodes a 2xx JSON answer into out.
// Non-2xx answers become *APIError; transport failures *NetworkError
// unless the caller's context ended first.
func (c *Client) do(ctx context.Context, method, u, contentType string, body io.Reader, out any, op string) error {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, u, body)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return &NetworkError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("reading response: %w", ctx.Err())
		}
		return &NetworkError{Op: "reading response", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseAPIError(resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedResponse, err)
	}
	return nil
}
