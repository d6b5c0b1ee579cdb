package carerix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// apiRequest is one logical call to the API host. do sends it, retrying as
// the policy allows.
type apiRequest struct {
	// op names the call in errors and logs.
	op string
	// method and path (relative to APIBaseURL, query included).
	method string
	path   string
	// body is sent as application/json when non-nil.
	body []byte
	// idempotent requests are retried on 502/503/504 and network errors;
	// others only on an explicit rate limit, where Carerix did not act.
	idempotent bool
	// check inspects a 2xx response and returns an *Error for failures
	// reported inside it (GraphQL errors), so they share retry handling.
	check func(body []byte) error
}

// apiResponse is a successful (2xx) response.
type apiResponse struct {
	status int
	body   []byte
}

// do sends req, waiting for the rate limiter before every attempt and
// retrying retryable failures with full-jitter exponential backoff. An
// HTTP 401 discards the cached token once and tries again with a new one.
func (c *Client) do(ctx context.Context, req apiRequest) (*apiResponse, error) {
	resp, err := c.doRetrying(ctx, req)
	if err != nil {
		c.stats.failures.Add(1)
	}
	return resp, err
}

func (c *Client) doRetrying(ctx context.Context, req apiRequest) (*apiResponse, error) {
	reauthenticated := false
	attempts := 0
	for try := 1; ; try++ {
		if err := c.waitLimiter(ctx); err != nil {
			return nil, fmt.Errorf("carerix %s: waiting for rate limiter: %w", req.op, err)
		}
		attempts++
		resp, used, err := c.attempt(ctx, req)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("carerix %s: %w", req.op, ctx.Err())
		}
		var e *Error
		if !errors.As(err, &e) {
			return nil, fmt.Errorf("carerix %s: %w", req.op, err)
		}
		e.Attempts = attempts
		if e.Kind == ErrRateLimited {
			c.stats.rateLimited.Add(1)
		}
		if e.Kind == ErrUnauthenticated && used != nil && !reauthenticated {
			// The API refused a token we believed valid (revoked, or the
			// server's clock disagrees): fetch a new one, once.
			reauthenticated = true
			c.stats.reauths.Add(1)
			c.log.WarnContext(ctx, "carerix refused access token; fetching a new one", "op", req.op)
			if err := c.tokens.invalidate(ctx, used); err != nil {
				return nil, fmt.Errorf("carerix %s: %w", req.op, err)
			}
			try--
			continue
		}
		if !e.retryable() || (!req.idempotent && e.Kind != ErrRateLimited) || try >= c.cfg.Retry.MaxAttempts {
			return nil, e
		}
		delay := c.backoff(try)
		if e.RetryAfter > 0 {
			if e.RetryAfter > c.cfg.Retry.MaxBackoff {
				// Waiting that long inside one call would stall the caller;
				// let it reschedule using e.RetryAfter.
				return nil, e
			}
			delay = e.RetryAfter
		}
		if dl, ok := ctx.Deadline(); ok && c.now().Add(delay).After(dl) {
			return nil, e
		}
		c.log.DebugContext(ctx, "retrying carerix request", "op", req.op, "attempt", attempts, "delay", delay, "error", e)
		if err := sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("carerix %s: %w (last error: %w)", req.op, err, e)
		}
		c.stats.retries.Add(1)
	}
}

// waitLimiter blocks until the rate limiter admits one request.
func (c *Client) waitLimiter(ctx context.Context) error {
	if c.limiter.Allow() {
		return nil
	}
	c.stats.throttledWaits.Add(1)
	return c.limiter.Wait(ctx)
}

// attempt performs one HTTP exchange. It returns the token it sent, or nil
// if no request reached the API (the token could not be obtained).
func (c *Client) attempt(ctx context.Context, req apiRequest) (*apiResponse, *oauth2.Token, error) {
	tok, err := c.tokens.token(ctx)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, c.cfg.APIBaseURL+req.path, body)
	if err != nil {
		return nil, tok, fmt.Errorf("building request: %w", err)
	}
	tok.SetAuthHeader(hreq)
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	if req.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}

	c.stats.requests.Add(1)
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, tok, &Error{Kind: ErrServer, Op: req.op, Err: err}
	}
	defer hresp.Body.Close()
	raw, err := readBody(hresp, c.cfg.MaxResponseBytes)
	if err != nil {
		return nil, tok, &Error{Kind: ErrServer, Op: req.op, StatusCode: hresp.StatusCode, Err: fmt.Errorf("reading response: %w", err)}
	}
	if int64(len(raw)) > c.cfg.MaxResponseBytes {
		return nil, tok, &Error{Kind: ErrProtocol, Op: req.op, StatusCode: hresp.StatusCode,
			Message: fmt.Sprintf("response exceeds %d bytes", c.cfg.MaxResponseBytes)}
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return nil, tok, c.statusError(req.op, hresp, raw)
	}
	if req.check != nil {
		if err := req.check(raw); err != nil {
			return nil, tok, err
		}
	}
	return &apiResponse{status: hresp.StatusCode, body: raw}, tok, nil
}

// statusError builds the *Error for a non-2xx response.
func (c *Client) statusError(op string, resp *http.Response, body []byte) *Error {
	msg, code, scope := describeErrorBody(body)
	if scope == "" {
		scope = findScope(resp.Header.Get("WWW-Authenticate"))
	}
	kind, _ := kindForStatus(resp.StatusCode, scope)
	if resp.StatusCode == http.StatusUnauthorized && scope != "" &&
		bytes.Contains([]byte(resp.Header.Get("WWW-Authenticate")), []byte("insufficient_scope")) {
		kind = ErrMissingScope
	}
	e := &Error{Kind: kind, Op: op, StatusCode: resp.StatusCode, Message: msg, Code: code}
	if kind == ErrMissingScope {
		e.Scope = scope
		e.Scopes = findScopes(msg)
	}
	if kind == ErrRateLimited || kind == ErrServer {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	return e
}

// readBody reads at most limit+1 bytes of the response body, sizing the
// buffer from Content-Length when the server sent one.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n) + 1)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	return buf.Bytes(), err
}
