package waemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Order selects the order in which the statuses of one message are delivered.
type Order int

const (
	// InOrder delivers sent, delivered, read.
	InOrder Order = iota
	// Reversed delivers read, delivered, sent.
	Reversed
)

// Defaults applied by New to zero Options fields.
const (
	DefaultBusinessAccountID = "100000000000001"
	DefaultStatusDelay       = 2 * time.Millisecond
	DefaultMaxAttempts       = 5
	DefaultRetryBackoff      = 20 * time.Millisecond
	DefaultMaxRetryBackoff   = time.Second
	DefaultWebhookTimeout    = 5 * time.Second
	DefaultWorkers           = 4
	DefaultQueueSize         = 1024
	DefaultWindow            = 24 * time.Hour
)

// DefaultInvalidNumberPrefix is used when Options.InvalidNumberPrefixes is
// nil: Dutch 3199 numbers are not used for mobile phones.
const DefaultInvalidNumberPrefix = "3199"

// Options configures an Emulator.
type Options struct {
	// AppSecret signs webhook bodies. Required.
	AppSecret string
	// VerifyToken is sent by Subscribe as hub.verify_token.
	VerifyToken string
	// AccessTokens maps each business phone number id to its bearer token.
	// At least one is required.
	AccessTokens map[string]string
	// DisplayPhoneNumbers maps phone number ids to the display number used
	// in webhook metadata; "31200000000" when absent.
	DisplayPhoneNumbers map[string]string
	// BusinessAccountID is the entry id in webhooks; DefaultBusinessAccountID when empty.
	BusinessAccountID string
	// WebhookURL receives the webhooks; deliveries are recorded as skipped
	// while it is empty. It can be changed with SetWebhookURL.
	WebhookURL string
	// Now is the clock for timestamps and the customer service window;
	// time.Now when nil.
	Now func() time.Time
	// Logger receives delivery logs; discarded when nil.
	Logger *slog.Logger
	// HTTPClient delivers webhooks; a new http.Client when nil.
	HTTPClient *http.Client
	// Templates seeds the template registry.
	Templates []Template
	// InvalidNumberPrefixes are recipient digit prefixes that are accepted
	// and then fail with 131026. DefaultInvalidNumberPrefix when nil; an
	// empty non-nil slice disables the behaviour.
	InvalidNumberPrefixes []string
	// StatusDelay separates consecutive status webhooks of one message;
	// DefaultStatusDelay when zero, none when negative.
	StatusDelay time.Duration
	// SkipRead stops after "delivered", as when the candidate has read
	// receipts turned off.
	SkipRead bool
	// StatusOrder sets the order of a message's status webhooks.
	StatusOrder Order
	// DuplicateStatuses delivers every status webhook twice.
	DuplicateStatuses bool
	// MaxAttempts bounds delivery attempts per webhook; DefaultMaxAttempts when zero.
	MaxAttempts int
	// RetryBackoff is the wait before the second attempt, doubled for each
	// further attempt; DefaultRetryBackoff when zero.
	RetryBackoff time.Duration
	// MaxRetryBackoff caps the wait between attempts; DefaultMaxRetryBackoff when zero.
	MaxRetryBackoff time.Duration
	// WebhookTimeout bounds one delivery attempt; DefaultWebhookTimeout when zero.
	WebhookTimeout time.Duration
	// Workers is the number of delivery goroutines; DefaultWorkers when zero.
	Workers int
	// QueueSize bounds pending deliveries; sends beyond it get 130429.
	// DefaultQueueSize when zero.
	QueueSize int
	// Window is the customer service window; DefaultWindow when zero.
	Window time.Duration
	// VerifiedNames maps phone number ids to the business name GET
	// /{phone-number-id} reports; "Recruitment Demo" when absent.
	VerifiedNames map[string]string
	// MediaURLTTL is how long a media download URL works;
	// DefaultMediaURLTTL when zero.
	MediaURLTTL time.Duration
	// TemplatePageSize is the default page size of GET
	// /{waba-id}/message_templates (a request's limit overrides it); 25
	// when zero, as Graph's default.
	TemplatePageSize int
}

// Emulator is an in-memory WhatsApp Cloud API. Create it with New, serve
// Handler, call Start to run webhook delivery and Close to stop it.
type Emulator struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	client *http.Client
	jobs   chan *job

	pending tracker

	mu          sync.Mutex
	webhookURL  string
	verifyToken string
	templates   map[templateKey]Template
	windows     map[windowKey]time.Time
	media       map[string]*mediaFile
	convs       map[convKey]conversation
	sent        []SentMessage
	inbound     []InboundRecord
	deliveries  []*Delivery
	faults      []Fault
	drops       int
	seq         int64
	templateSeq int64
	started     bool
	closed      bool
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// New validates opts, applies defaults and returns an emulator that is not
// yet delivering webhooks.
func New(opts Options) (*Emulator, error) {
	if opts.AppSecret == "" {
		return nil, errors.New("waemu: AppSecret is required")
	}
	if len(opts.AccessTokens) == 0 {
		return nil, errors.New("waemu: at least one AccessTokens entry is required")
	}
	for id, tok := range opts.AccessTokens {
		if !isDigits(id, 1, 32) || tok == "" {
			return nil, fmt.Errorf("waemu: phone number id %q needs digits and a non-empty token", id)
		}
	}
	applyDefaults(&opts)
	e := &Emulator{
		opts:        opts,
		now:         opts.Now,
		log:         opts.Logger,
		client:      opts.HTTPClient,
		jobs:        make(chan *job, opts.QueueSize),
		webhookURL:  opts.WebhookURL,
		verifyToken: opts.VerifyToken,
		templates:   make(map[templateKey]Template),
		windows:     make(map[windowKey]time.Time),
		media:       make(map[string]*mediaFile),
		convs:       make(map[convKey]conversation),
	}
	for _, t := range opts.Templates {
		if err := e.RegisterTemplate(t); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func applyDefaults(o *Options) {
	if o.BusinessAccountID == "" {
		o.BusinessAccountID = DefaultBusinessAccountID
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.InvalidNumberPrefixes == nil {
		o.InvalidNumberPrefixes = []string{DefaultInvalidNumberPrefix}
	}
	switch {
	case o.StatusDelay == 0:
		o.StatusDelay = DefaultStatusDelay
	case o.StatusDelay < 0:
		o.StatusDelay = 0
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.MaxRetryBackoff <= 0 {
		o.MaxRetryBackoff = DefaultMaxRetryBackoff
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = DefaultWebhookTimeout
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
}

// Handler returns the HTTP handler for the Cloud API and admin endpoints.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{version}/{phoneID}/messages", e.handleMessages)
	mux.HandleFunc("POST /{version}/{phoneID}/media", e.handleMediaUpload)
	mux.HandleFunc("GET /{version}/{id}", e.handleGraphObject)
	mux.HandleFunc("GET /{version}/{waba}/message_templates", e.handleTemplateListing)
	mux.HandleFunc("GET /_lookaside/whatsapp_business/attachments/", e.handleMediaDownload)
	mux.HandleFunc("POST /_emulator/templates/status", e.handleTemplateStatus)
	mux.HandleFunc("POST /_emulator/errors", e.handleErrorCreate)
	mux.HandleFunc("POST /_emulator/inbound", e.handleInboundCreate)
	mux.HandleFunc("GET /_emulator/inbound", e.handleInboundList)
	mux.HandleFunc("GET /_emulator/messages", e.handleSentList)
	mux.HandleFunc("GET /_emulator/templates", e.handleTemplateList)
	mux.HandleFunc("POST /_emulator/templates", e.handleTemplateCreate)
	mux.HandleFunc("GET /_emulator/deliveries", e.handleDeliveryList)
	mux.HandleFunc("POST /_emulator/faults", e.handleFaultCreate)
	mux.HandleFunc("POST /_emulator/subscribe", e.handleSubscribe)
	return mux
}

// Start runs the webhook delivery workers until ctx ends or Close is called.
func (e *Emulator) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("waemu: emulator is closed")
	}
	if e.started {
		return errors.New("waemu: emulator already started")
	}
	e.started = true
	wctx, cancel := context.WithCancel(ctx)
	e.cancel = cancel
	for range e.opts.Workers {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.work(wctx)
		}()
	}
	return nil
}

// Close stops the workers, waits for them, and marks undelivered webhooks
// abandoned. Sends after Close are refused. Close is idempotent.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	cancel := e.cancel
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	e.wg.Wait()
	for {
		select {
		case j := <-e.jobs:
			e.abandon(j.steps, "emulator closed")
			e.pending.done()
		default:
			return nil
		}
	}
}

// WaitIdle blocks until no webhook is queued or being delivered, or ctx ends.
func (e *Emulator) WaitIdle(ctx context.Context) error {
	if err := e.pending.wait(ctx); err != nil {
		return fmt.Errorf("waiting for webhook deliveries: %w", err)
	}
	return nil
}

// SetWebhookURL changes where webhooks are delivered from now on.
func (e *Emulator) SetWebhookURL(u string) {
	e.mu.Lock()
	e.webhookURL = u
	e.mu.Unlock()
}

// SetWebhook changes the callback URL and the verify token, as entering
// them in Meta's app dashboard does; Subscribe then verifies them.
func (e *Emulator) SetWebhook(callbackURL, verifyToken string) {
	e.mu.Lock()
	e.webhookURL, e.verifyToken = callbackURL, verifyToken
	e.mu.Unlock()
}

// tracker counts queued jobs so WaitIdle can wait for zero.
type tracker struct {
	mu      sync.Mutex
	n       int
	waiters []chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		for _, w := range t.waiters {
			close(w)
		}
		t.waiters = nil
	}
}

func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	t.waiters = append(t.waiters, ch)
	t.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
