package carerixsync

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Config configures a Service.
type Config struct {
	// Store takes every write and transaction: the store itself.
	Store recrubo.Store
	// Reads serves hot reads (tenants, status nodes); the read cache in
	// front of Store. Default Store.
	Reads recrubo.DataStore
	// Connect returns a tenant's Carerix reader. Default
	// NewClientConnector(nil, Store).
	Connect Connector
	// Logger receives what the jobs did. Default: discard.
	Logger *slog.Logger
	// PageSize is the Carerix page size asked for; the client clamps it
	// to what the tenant takes (its contract measured it). Default
	// carerix.MaxPageSize.
	PageSize int
	// Overlap is how far before the watermark reconciliation looks again,
	// for clock skew and changes committed late. Default two minutes.
	Overlap time.Duration
	// ScanInterval is how often reconciliation also scans every id for
	// records purged from Carerix. Default six hours.
	ScanInterval time.Duration
	// DrainBatch is how many waiting events a drain reads at once.
	// Default 1,000.
	DrainBatch int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Service keeps tenants' mirrors in step with Carerix: it ingests webhook
// deliveries, and runs the initial sync, event processing, reconciliation
// and rescope jobs. Its methods are safe for concurrent use.
type Service struct {
	store        recrubo.Store
	reads        recrubo.DataStore
	connect      Connector
	log          *slog.Logger
	pageSize     int
	overlap      time.Duration
	scanInterval time.Duration
	drainBatch   int
	now          func() time.Time
	locks        *keyLocks
	verifiers    *verifierCache
	kicker       *drainKicker
	gates        *drainGates
	refused      *refusals
	ignored      *prometheus.CounterVec
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, reads: cfg.Reads, connect: cfg.Connect, log: cfg.Logger,
		pageSize: cfg.PageSize, overlap: cfg.Overlap, scanInterval: cfg.ScanInterval, drainBatch: cfg.DrainBatch, now: cfg.Now,
		locks: newKeyLocks(), verifiers: newVerifierCache(), kicker: newDrainKicker(), gates: newDrainGates(), refused: newRefusals(),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "recrubo_sync_events_ignored_total",
			Help: "Carerix webhook events acknowledged and ignored: their entity is not synced (activities, companies, placements, publications, ...)."},
			[]string{"entity"}),
	}
	if s.reads == nil {
		s.reads = s.store
	}
	if s.connect == nil {
		s.connect = NewClientConnector(nil, cfg.Store)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.pageSize <= 0 || s.pageSize > carerix.MaxPageSize {
		s.pageSize = carerix.MaxPageSize
	}
	if s.overlap <= 0 {
		s.overlap = 2 * time.Minute
	}
	if s.scanInterval <= 0 {
		s.scanInterval = 6 * time.Hour
	}
	if s.drainBatch <= 0 {
		s.drainBatch = drainBatch
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// tenant loads a tenant by id through the read cache.
func (s *Service) tenant(ctx context.Context, id string) (*recrubo.Tenant, error) {
	return s.reads.TenantByID(ctx, id)
}

// keyLocks serialise work on one record within this instance, so the state
// fetched from Carerix is written in the order it was read even when two
// states share a modification time (Carerix stamps whole seconds).
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func newKeyLocks() *keyLocks { return &keyLocks{m: map[string]*keyLock{}} }

// lock locks key and returns its unlock.
func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
