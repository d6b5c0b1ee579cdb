package messaging

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// Defaults of Config.
const (
	DefaultAPIVersion  = "v21.0"
	DefaultConfirmWait = 2 * time.Minute
	DefaultRetryBase   = 2 * time.Second
	// DefaultBroadcastRate is how many messages a second a broadcast
	// hands out: well under the Cloud API's 80 a second per number, so
	// replies and other sends keep room.
	DefaultBroadcastRate = 20
	maxRetryWait         = 10 * time.Minute
)

// Config configures a Service.
type Config struct {
	// Store keeps conversations, messages, events and jobs. Required.
	Store recrubo.Store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives what the jobs did; discarded when nil.
	Logger *slog.Logger
	// HTTPClient calls the Cloud API; a new client when nil.
	HTTPClient *http.Client
	// APIVersion is the Graph API version; DefaultAPIVersion when empty.
	APIVersion string
	// ConfirmWait is how long a send whose answer was lost waits for a
	// status webhook before it is sent again; DefaultConfirmWait when zero.
	ConfirmWait time.Duration
	// RetryBase is the wait before a failed job's second attempt, doubled
	// for each further one up to ten minutes; DefaultRetryBase when zero.
	RetryBase time.Duration
	// Carerix returns the Carerix client of a tenant's integration
	// account, which writes conversation summaries as activities
	// (NewCarerixConnector). Nil writes no summaries.
	Carerix CarerixConnector
	// SummaryActivityType is the todoTypeKey of summary activities; empty
	// leaves it to Carerix's default.
	SummaryActivityType string
	// MaxMediaBytes is the largest file kept from a message or sent by a
	// recruiter; recrubo.DefaultMaxMediaBytes when zero.
	MaxMediaBytes int64
	// BroadcastRate is how many messages per second a broadcast hands
	// out (per tenant, across instances: one job runs a broadcast);
	// DefaultBroadcastRate when zero.
	BroadcastRate float64
}

// Service is the conversations API. It is safe for concurrent use.
type Service struct {
	store        recrubo.Store
	now          func() time.Time
	log          *slog.Logger
	http         *http.Client
	apiVersion   string
	confirmWait  time.Duration
	retryBase    time.Duration
	carerix      CarerixConnector
	activityType string
	maxMedia     int64
	rate         float64
}

// New returns a Service. It panics without a store: that is a wiring
// mistake found at start-up.
func New(cfg Config) *Service {
	if cfg.Store == nil {
		panic("messaging: Config.Store is required")
	}
	s := &Service{store: cfg.Store, now: cfg.Now, log: cfg.Logger, http: cfg.HTTPClient,
		apiVersion: cfg.APIVersion, confirmWait: cfg.ConfirmWait, retryBase: cfg.RetryBase,
		carerix: cfg.Carerix, activityType: cfg.SummaryActivityType, maxMedia: cfg.MaxMediaBytes, rate: cfg.BroadcastRate}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.http == nil {
		s.http = &http.Client{}
	}
	if s.apiVersion == "" {
		s.apiVersion = DefaultAPIVersion
	}
	if s.confirmWait <= 0 {
		s.confirmWait = DefaultConfirmWait
	}
	if s.retryBase <= 0 {
		s.retryBase = DefaultRetryBase
	}
	if s.maxMedia <= 0 {
		s.maxMedia = recrubo.DefaultMaxMediaBytes
	}
	if s.rate <= 0 {
		s.rate = DefaultBroadcastRate
	}
	return s
}

// backoff is the wait before retrying after failed attempt n.
func (s *Service) backoff(n int) time.Duration {
	d := s.retryBase
	for i := 1; i < n && d < maxRetryWait; i++ {
		d *= 2
	}
	return min(d, maxRetryWait)
}

// client returns a Cloud API client for the tenant's number.
func (s *Service) client(t *recrubo.Tenant) (*whatsapp.Client, error) {
	c, err := whatsapp.NewClient(whatsapp.Config{
		BaseURL:       t.WhatsApp.APIBaseURL,
		APIVersion:    s.apiVersion,
		PhoneNumberID: t.WhatsApp.PhoneNumberID,
		AccessToken:   t.WhatsApp.AccessToken.Reveal(),
		HTTPClient:    s.http,
	})
	if err != nil {
		return nil, recrubo.WrapE(recrubo.EINVALID, err, "embed.error.whatsapp_not_connected")
	}
	return c, nil
}

// requireWhatsApp refuses a tenant without a WhatsApp number.
func requireWhatsApp(t *recrubo.Tenant) error {
	if t == nil {
		return recrubo.Errorf(recrubo.EINVALID, "No tenant given.")
	}
	if !t.WhatsApp.Enabled() || t.WhatsApp.AccessToken.IsZero() {
		return recrubo.WrapE(recrubo.EINVALID, fmt.Errorf("WhatsApp is not connected for tenant %s", t.Slug), "embed.error.whatsapp_not_connected")
	}
	return nil
}

// isCode reports whether err carries the recrubo error code.
func isCode(err error, code recrubo.Code) bool { return recrubo.ErrorCode(err) == code }

// wrap adds context to an error without hiding its code.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
