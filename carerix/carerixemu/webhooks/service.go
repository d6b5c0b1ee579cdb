package webhooks

import (
	"context"
	"crypto/rsa"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Service is one tenant's emulated Carerix webhook system: applications,
// webhooks, delivery jobs and the workers that deliver them. Safe for
// concurrent use.
type Service struct {
	opts Options

	mu        sync.Mutex
	apps      map[string]*appRecord
	appOrder  []string
	hooks     map[string]*hookRecord
	hookOrder []string
	jobs      map[string]*job
	jobOrder  []string

	// Delivery scheduling, all guarded by mu.
	queue       jobHeap
	seq         uint64
	outstanding int
	held        []*job
	changed     chan struct{}

	// Fault injection, guarded by mu.
	faults   Faults
	rng      *rand.Rand
	dropNext int
	dupNext  int

	// The global signing key (Options.GlobalSignatureKey), made on first
	// need; keyMu serialises making it, globalKey is read under mu.
	keyMu     sync.Mutex
	globalKey *rsa.PrivateKey

	// Worker lifecycle.
	wake    chan struct{}
	work    chan *job
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// appRecord is an application with its private key (nil with a global key).
type appRecord struct {
	app Application
	key *rsa.PrivateKey
}

// hookRecord is a webhook with its delivery-health window.
type hookRecord struct {
	hook     Webhook
	outcomes []bool // ring of finished-job outcomes, true = failed
	pos      int
	count    int
	failures int
}

// New returns a Service configured by opts. Call Start to begin delivering.
func New(opts Options) (*Service, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new webhook service: %w", err)
	}
	return &Service{
		opts:    o,
		apps:    map[string]*appRecord{},
		hooks:   map[string]*hookRecord{},
		jobs:    map[string]*job{},
		changed: make(chan struct{}),
		rng:     rand.New(rand.NewPCG(1, 1)),
		wake:    make(chan struct{}, 1),
		work:    make(chan *job),
	}, nil
}

// now returns the configured clock's time.
func (s *Service) now() time.Time { return s.opts.Now() }

// notifyLocked wakes WaitIdle callers; s.mu must be held.
func (s *Service) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// recordHealthLocked adds a finished job's outcome to the webhook's window
// and moves the webhook to StatusError when the failure share reaches the
// threshold; s.mu must be held.
func (s *Service) recordHealthLocked(webhookID string, failed bool) {
	h := s.hooks[webhookID]
	if h == nil {
		return
	}
	if h.outcomes == nil {
		h.outcomes = make([]bool, s.opts.HealthWindow)
	}
	if h.count == len(h.outcomes) {
		if h.outcomes[h.pos] {
			h.failures--
		}
	} else {
		h.count++
	}
	h.outcomes[h.pos] = failed
	if failed {
		h.failures++
	}
	h.pos = (h.pos + 1) % len(h.outcomes)
	if h.hook.Status != StatusEnabled || h.count < s.opts.HealthMinDeliveries {
		return
	}
	if float64(h.failures)/float64(h.count) >= s.opts.HealthThreshold {
		h.hook.Status = StatusError
		h.hook.UpdatedAt = s.now()
		s.opts.Logger.Warn("webhook moved to error status",
			"webhook", h.hook.ID, "failures", h.failures, "window", h.count)
	}
}

// resetHealthLocked clears the webhook's window; s.mu must be held.
func (h *hookRecord) resetHealthLocked() {
	h.outcomes = nil
	h.pos, h.count, h.failures = 0, 0, 0
}
