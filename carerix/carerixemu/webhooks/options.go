package webhooks

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxAttempts         = 5
	DefaultTimeout             = 10 * time.Second
	DefaultWorkers             = 4
	DefaultMaxFilters          = 10
	DefaultHealthWindow        = 1000
	DefaultHealthThreshold     = 0.3
	DefaultHealthMinDeliveries = 10
	DefaultSchemaVersion       = "1"
	maxResponsePayload         = 64 << 10
)

// Options configures a Service. The zero value of every field selects a
// documented default.
type Options struct {
	// Tenant is the tenant name put in payloads ("tenant").
	Tenant string
	// Client sends deliveries; nil means a new http.Client.
	Client *http.Client
	// Now stamps records and payloads; nil means time.Now.
	Now func() time.Time
	// Logger receives delivery diagnostics; nil discards them.
	Logger *slog.Logger
	// MaxAttempts is the number of attempts per job before it fails
	// (default 5; Carerix's real number is unknown).
	MaxAttempts int
	// Backoff returns the wait after the given number of failed attempts
	// (1 after the first). Nil means exponential from 1 s, doubling, capped
	// at 5 min, with ±20 % jitter.
	Backoff func(attempt int) time.Duration
	// Timeout bounds one attempt, including reading the response
	// (default 10 s, the third-party "reply within 10 s" claim).
	Timeout time.Duration
	// Workers is the number of concurrent delivery goroutines (default 4).
	Workers int
	// Keys supplies application key pairs; nil generates RSA-2048 keys.
	Keys KeySource
	// Signer computes Cx-Signature; nil means RSASHA256Signer.
	Signer Signer
	// SchemaVersion is the Cx-Payload-Schema-Version value (default "1").
	SchemaVersion string
	// MaxFilters caps filters per webhook (default 10, third-party claim).
	MaxFilters int
	// HealthWindow is how many finished delivery jobs per webhook are
	// considered when deciding to set status error (default 1000).
	HealthWindow int
	// HealthThreshold is the failed fraction of the window at or above
	// which the webhook moves to status error (default 0.3).
	HealthThreshold float64
	// HealthMinDeliveries is the number of finished jobs needed in the
	// window before the threshold applies (default 10).
	HealthMinDeliveries int
	// DisableDeletedEvents suppresses "<entity>:deleted" events. Whether
	// Carerix emits them is unknown; by default the emulator does.
	DisableDeletedEvents bool
	// CreateDisabled makes new webhooks start with status disabled instead
	// of enabled.
	CreateDisabled bool
	// GlobalSignatureKey signs every delivery of the tenant with one key
	// pair, served at GET /webhooks/v1/signature-key; applications then
	// carry no signatureVerification. Off (the documented form), each
	// application has its own key pair and the global route answers 404.
	GlobalSignatureKey bool
	// Authorize checks a management request for a scope; nil allows all.
	// It is called with each acceptable scope in turn until one passes.
	// Return an error wrapping ErrUnauthenticated for a missing or bad
	// token (401) and any other error for a missing scope (403).
	Authorize func(r *http.Request, requiredScope string) error
}

// withDefaults returns a copy of o with zero fields filled in.
func (o Options) withDefaults() (Options, error) {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.Keys == nil {
		o.Keys = GeneratedKeys{}
	}
	if o.Signer == nil {
		o.Signer = RSASHA256Signer{}
	}
	if o.SchemaVersion == "" {
		o.SchemaVersion = DefaultSchemaVersion
	}
	if o.MaxFilters == 0 {
		o.MaxFilters = DefaultMaxFilters
	}
	if o.HealthWindow == 0 {
		o.HealthWindow = DefaultHealthWindow
	}
	if o.HealthThreshold == 0 {
		o.HealthThreshold = DefaultHealthThreshold
	}
	if o.HealthMinDeliveries == 0 {
		o.HealthMinDeliveries = DefaultHealthMinDeliveries
	}
	switch {
	case o.MaxAttempts < 1:
		return o, errors.New("options: MaxAttempts must be at least 1")
	case o.Timeout < 0:
		return o, errors.New("options: Timeout must not be negative")
	case o.Workers < 1:
		return o, errors.New("options: Workers must be at least 1")
	case o.MaxFilters < 1:
		return o, errors.New("options: MaxFilters must be at least 1")
	case o.HealthWindow < 1:
		return o, errors.New("options: HealthWindow must be at least 1")
	case o.HealthThreshold < 0 || o.HealthThreshold > 1:
		return o, errors.New("options: HealthThreshold must be within 0..1")
	case o.HealthMinDeliveries < 1:
		return o, errors.New("options: HealthMinDeliveries must be at least 1")
	}
	return o, nil
}

// DefaultBackoff is the retry wait used when Options.Backoff is nil:
// exponential from one second, doubling per failed attempt, capped at five
// minutes, with ±20 % jitter.
func DefaultBackoff(attempt int) time.Duration {
	const base, limit = time.Second, 5 * time.Minute
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
