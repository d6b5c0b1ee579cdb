package carerix

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Client talks to one Carerix tenant. It is safe for concurrent use; all
// calls share one token cache, one rate limiter and one set of counters.
type Client struct {
	cfg      Config
	hc       *http.Client
	log      *slog.Logger
	limiter  *rate.Limiter
	tokens   *tokenCache
	stats    *counters
	now      func() time.Time
	contract contractState
}

// New validates cfg and returns a Client for it.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	stats := &counters{}
	c := &Client{
		cfg:     cfg,
		hc:      cfg.HTTPClient,
		log:     cfg.Logger,
		limiter: rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), cfg.Burst),
		tokens:  newTokenCache(cfg, stats),
		stats:   stats,
		now:     cfg.Now,
	}
	c.contract.onRead = cfg.OnContract
	c.contract.load = cfg.LoadContract
	if cfg.Contract != nil {
		c.contract.cur.Store(cfg.Contract)
	}
	return c, nil
}

// Config returns the effective configuration, defaults filled in and the
// client secret masked.
func (c *Client) Config() Config {
	cfg := c.cfg
	if cfg.ClientSecret != "" {
		cfg.ClientSecret = "********"
	}
	cfg.Contract = c.contract.cur.Load()
	return cfg
}

// CloseIdleConnections closes idle keep-alive connections of the
// client's HTTP client, e.g. when a tenant is removed.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// String identifies the client in logs without revealing secrets.
func (c *Client) String() string {
	return fmt.Sprintf("carerix.Client{api=%s realm=%s client=%s}", c.cfg.APIBaseURL, c.cfg.Realm, c.cfg.ClientID)
}

// Stats is a snapshot of a Client's counters, for metrics.
type Stats struct {
	// Requests is the number of HTTP attempts sent to the API host
	// (token requests excluded).
	Requests int64
	// Retries is the number of attempts that repeated an earlier one
	// after a retryable failure (429, 502, 503, 504, network error).
	Retries int64
	// ThrottledWaits counts attempts that had to wait for the client-side
	// rate limiter.
	ThrottledWaits int64
	// RateLimited counts responses in which Carerix itself throttled us
	// (HTTP 429 or a GraphQL rate limit error).
	RateLimited int64
	// TokenFetches counts access tokens obtained from the token endpoint.
	TokenFetches int64
	// Reauthentications counts tokens discarded after an HTTP 401.
	Reauthentications int64
	// Failures counts calls that returned an error to the caller.
	Failures int64
}

// Stats returns the current counter values.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:          c.stats.requests.Load(),
		Retries:           c.stats.retries.Load(),
		ThrottledWaits:    c.stats.throttledWaits.Load(),
		RateLimited:       c.stats.rateLimited.Load(),
		TokenFetches:      c.stats.tokenFetches.Load(),
		Reauthentications: c.stats.reauths.Load(),
		Failures:          c.stats.failures.Load(),
	}
}

// counters backs Stats.
type counters struct {
	requests       atomic.Int64
	retries        atomic.Int64
	throttledWaits atomic.Int64
	rateLimited    atomic.Int64
	tokenFetches   atomic.Int64
	reauths        atomic.Int64
	failures       atomic.Int64
}
