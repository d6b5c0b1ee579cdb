package carerix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Defaults applied by Config.withDefaults.
const (
	// DefaultAPIBaseURL is the public Carerix API host serving GraphQL and
	// the webhook management REST API.
	DefaultAPIBaseURL = "https://api.carerix.io"

	// DefaultRequestsPerSecond is deliberately conservative: Carerix
	// publishes no rate limit, and third-party notes report at most
	// 10 requests per second per tenant. Staying at half of that leaves
	// head-room for other integrations sharing the tenant's budget.
	DefaultRequestsPerSecond = 5
	// DefaultBurst matches DefaultRequestsPerSecond so that no more than
	// one second's worth of requests is ever sent at once.
	DefaultBurst = 5

	// DefaultTimeout bounds every single HTTP attempt.
	DefaultTimeout = 30 * time.Second

	// DefaultMaxAttempts is the number of tries per call, first included.
	DefaultMaxAttempts = 4
	// DefaultBaseBackoff is the first backoff ceiling; it doubles per retry.
	DefaultBaseBackoff = 500 * time.Millisecond
	// DefaultMaxBackoff caps a single backoff sleep, and also caps how
	// long a Retry-After header may make the client wait.
	DefaultMaxBackoff = 30 * time.Second

	// DefaultTokenExpiryDelta makes cached tokens refresh this long before
	// their advertised expiry so a request never races the expiry.
	DefaultTokenExpiryDelta = 30 * time.Second

	// DefaultMaxResponseBytes bounds how much of a response body is read.
	DefaultMaxResponseBytes = 32 << 20

	// MaxPageSize is the largest page size the client ever asks for:
	// clients that ran on tenants ask for 200 and 500. Larger requested
	// sizes are clamped to it, and to the size the tenant reported when
	// its contract was read (Contract.MaxPageSize).
	MaxPageSize = 500
	// DefaultPageSize is used when a PageRequest leaves Size at zero; a
	// planning document claims 100 is the most Carerix accepts.
	DefaultPageSize = 100
)

// realmPattern restricts realm names to what can be placed in a URL path
// segment without escaping; Carerix realms are tenant names.
var realmPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Config describes how to reach one Carerix tenant. The zero value of every
// optional field selects a documented default.
type Config struct {
	// APIBaseURL is the API host, without a trailing path. Default
	// DefaultAPIBaseURL. Tests point it at the emulator.
	APIBaseURL string
	// IdentityBaseURL is the tenant's identity host, e.g.
	// "https://id-s3.carerix.io". Required: the host differs per tenant.
	IdentityBaseURL string
	// Realm is the identity realm, normally the tenant's application name
	// (the "<tenant>" of <tenant>.carerix.net). Required.
	Realm string

	// ClientID and ClientSecret are the confidential OAuth2 client's
	// credentials. Required.
	ClientID     string
	ClientSecret string
	// Scopes are requested with every token. Empty means the client's
	// default scopes as configured in Carerix.
	Scopes []string
	// AuthStyle selects how credentials reach the token endpoint. The zero
	// value (oauth2.AuthStyleAutoDetect) tries the Basic header first and
	// falls back to form fields, remembering what worked.
	AuthStyle oauth2.AuthStyle
	// TokenExpiryDelta refreshes a cached token this long before it
	// expires. Default DefaultTokenExpiryDelta; negative means zero.
	TokenExpiryDelta time.Duration

	// RequestsPerSecond and Burst configure the client-side rate limit.
	// Defaults DefaultRequestsPerSecond and DefaultBurst.
	RequestsPerSecond float64
	Burst             int

	// Retry configures retries of throttled and failed requests.
	Retry RetryPolicy

	// Timeout bounds each HTTP attempt (request plus reading the body).
	// Default DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes bounds how much of any response body is read.
	// Default DefaultMaxResponseBytes.
	MaxResponseBytes int64

	// HTTPClient performs all requests, including token requests.
	// Default: a new http.Client without its own timeout (Timeout above
	// is applied through the request context instead).
	HTTPClient *http.Client
	// Logger receives retry and token refresh events at debug and warn
	// level. Default: discard.
	Logger *slog.Logger
	// Now returns the current time; it is used to interpret Retry-After
	// dates. Default time.Now.
	Now func() time.Time
	// UserAgent is sent with every request. Default "recrubo-carerix".
	UserAgent string
	// Contract is the tenant's contract; nil makes the client load it
	// (LoadContract) or read it (Discover) before its first GraphQL call.
	Contract *Contract
	// LoadContract, when set, returns the tenant's stored contract, nil
	// when none is stored (see StoreContracts).
	LoadContract func(context.Context) (*Contract, error)
	// OnContract, when set, is called with every contract the client
	// reads (first use, or again after Carerix rejected a query), so it
	// can be stored.
	OnContract func(context.Context, *Contract) error
	// AllowInsecureHTTP permits plain-http base URLs on hosts other than
	// loopback (e.g. an emulator in a container network). Plain http on
	// loopback is always allowed; everything else must be https because
	// the client secret and bearer tokens travel on these connections.
	AllowInsecureHTTP bool
}

// RetryPolicy controls retries with full-jitter exponential backoff.
type RetryPolicy struct {
	// MaxAttempts is the total number of tries per call, the first
	// included; 1 disables retries. Default DefaultMaxAttempts.
	MaxAttempts int
	// BaseBackoff is the backoff ceiling before the first retry; the
	// ceiling doubles per retry. Default DefaultBaseBackoff.
	BaseBackoff time.Duration
	// MaxBackoff caps the backoff ceiling and any Retry-After wait.
	// Default DefaultMaxBackoff.
	MaxBackoff time.Duration
}

// TokenURL returns the OpenID Connect token endpoint for the configured
// identity host and realm.
func (c Config) TokenURL() string {
	return strings.TrimRight(c.IdentityBaseURL, "/") + "/auth/realms/" + c.Realm + "/protocol/openid-connect/token"
}

// Validate reports every configuration problem it finds, joined.
func (c Config) Validate() error {
	var errs []error
	c = c.withDefaults()
	if err := validateBaseURL(c.APIBaseURL, c.AllowInsecureHTTP); err != nil {
		errs = append(errs, fmt.Errorf("invalid APIBaseURL: %w", err))
	}
	if c.IdentityBaseURL == "" {
		errs = append(errs, errors.New("missing IdentityBaseURL (e.g. https://id-s3.carerix.io)"))
	} else if err := validateBaseURL(c.IdentityBaseURL, c.AllowInsecureHTTP); err != nil {
		errs = append(errs, fmt.Errorf("invalid IdentityBaseURL: %w", err))
	}
	if c.Realm == "" {
		errs = append(errs, errors.New("missing Realm (the tenant name)"))
	} else if !realmPattern.MatchString(c.Realm) {
		errs = append(errs, fmt.Errorf("invalid Realm %q: only letters, digits, '.', '_' and '-' are allowed", c.Realm))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("missing ClientID"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("missing ClientSecret"))
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			errs = append(errs, fmt.Errorf("invalid scope %q: must be non-empty and contain no whitespace", s))
		}
	}
	if c.RequestsPerSecond < 0 {
		errs = append(errs, fmt.Errorf("invalid RequestsPerSecond %v: must not be negative", c.RequestsPerSecond))
	}
	if c.Burst < 1 {
		errs = append(errs, fmt.Errorf("invalid Burst %d: must be at least 1", c.Burst))
	}
	if c.Retry.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("invalid Retry.MaxAttempts %d: must be at least 1", c.Retry.MaxAttempts))
	}
	if c.Retry.BaseBackoff < 0 || c.Retry.MaxBackoff < 0 {
		errs = append(errs, errors.New("invalid Retry: backoffs must not be negative"))
	}
	if c.Retry.MaxBackoff < c.Retry.BaseBackoff {
		errs = append(errs, fmt.Errorf("invalid Retry: MaxBackoff %v is below BaseBackoff %v", c.Retry.MaxBackoff, c.Retry.BaseBackoff))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("invalid Timeout %v: must not be negative", c.Timeout))
	}
	if c.MaxResponseBytes < 0 {
		errs = append(errs, fmt.Errorf("invalid MaxResponseBytes %d: must not be negative", c.MaxResponseBytes))
	}
	switch c.AuthStyle {
	case oauth2.AuthStyleAutoDetect, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams:
	default:
		errs = append(errs, fmt.Errorf("invalid AuthStyle %d", c.AuthStyle))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid carerix config: %w", errors.Join(errs...))
	}
	return nil
}

// withDefaults returns a copy of c with every unset optional field filled.
func (c Config) withDefaults() Config {
	if c.APIBaseURL == "" {
		c.APIBaseURL = DefaultAPIBaseURL
	}
	c.APIBaseURL = strings.TrimRight(c.APIBaseURL, "/")
	c.IdentityBaseURL = strings.TrimRight(c.IdentityBaseURL, "/")
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.Retry.MaxAttempts == 0 {
		c.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if c.Retry.BaseBackoff == 0 {
		c.Retry.BaseBackoff = DefaultBaseBackoff
	}
	if c.Retry.MaxBackoff == 0 {
		c.Retry.MaxBackoff = max(DefaultMaxBackoff, c.Retry.BaseBackoff)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.TokenExpiryDelta == 0 {
		c.TokenExpiryDelta = DefaultTokenExpiryDelta
	} else if c.TokenExpiryDelta < 0 {
		c.TokenExpiryDelta = 0
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.UserAgent == "" {
		c.UserAgent = "recrubo-carerix"
	}
	return c
}

// validateBaseURL accepts absolute https URLs without query or fragment,
// and http URLs on loopback or when insecure is set.
func validateBaseURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parsing %q: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q: must be an absolute URL with a host", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !insecure && !isLoopback(u.Hostname()) {
			return fmt.Errorf("%q: plain http is only allowed on loopback unless AllowInsecureHTTP is set", raw)
		}
	default:
		return fmt.Errorf("%q: scheme must be https", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: must not carry a query or fragment", raw)
	}
	return nil
}

// isLoopback reports whether host names the local machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
