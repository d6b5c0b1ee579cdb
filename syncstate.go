package recrubo

import (
	"context"
	"time"
)

// SyncKind says why a sync run happens.
type SyncKind string

// The kinds of sync run.
const (
	SyncInitial   SyncKind = "initial"   // the first full import after install
	SyncRescope   SyncKind = "rescope"   // the status filters changed
	SyncReconcile SyncKind = "reconcile" // the periodic safety net for missed webhooks
)

// RunState is the lifecycle state of a sync run.
type RunState string

// The states of a sync run.
const (
	RunQueued    RunState = "queued"
	RunRunning   RunState = "running"
	RunSucceeded RunState = "succeeded"
	RunFailed    RunState = "failed"
)

// SyncRun is one run of a sync over a tenant.
type SyncRun struct {
	ID         string
	TenantID   string
	Kind       SyncKind
	State      RunState
	Error      string // the last error, user-safe
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
}

// SyncCheckpoint records how far a run got through one entity's pages, so a
// restarted run continues after AfterKey (walks by key) or at NextPage
// (chunks) without fetching finished pages again.
type SyncCheckpoint struct {
	TenantID string
	RunID    string
	Entity   Entity
	NextPage int // pages (chunks) applied so far: the first one not yet applied
	// AfterKey is the numeric key of the last record a walk by key
	// applied (0: none yet).
	AfterKey  int64
	Pages     int   // total pages Carerix reported (0 = unknown yet)
	Records   int64 // records applied so far
	Total     int64 // totalElements Carerix reported
	Done      bool
	UpdatedAt time.Time
}

// SyncStatus is a tenant's sync health, shown on the verify page and exported
// as metrics.
type SyncStatus struct {
	TenantID        string
	LastEventAt     time.Time // last webhook received
	LastAppliedAt   time.Time // last change applied to the mirror
	LastReconcileAt time.Time
	// Watermark is the Carerix modificationDate up to which reconciliation
	// has seen every change.
	Watermark time.Time
	// LastScanAt is when the last full id scan (which finds records
	// purged from Carerix) started.
	LastScanAt time.Time
	// ScopeKey identifies the status filters the mirror was last filled
	// with; a tenant whose filters no longer match it needs a rescope.
	ScopeKey    string
	LastError   string
	LastErrorAt time.Time
}

// SyncStore keeps sync runs, checkpoints and status.
type SyncStore interface {
	CreateSyncRun(ctx context.Context, run *SyncRun) error
	UpdateSyncRun(ctx context.Context, run *SyncRun) error
	// SyncRun returns ENOTFOUND if there is no such run.
	SyncRun(ctx context.Context, tenantID, id string) (*SyncRun, error)
	// LatestSyncRun returns the newest run of a kind, or ENOTFOUND.
	LatestSyncRun(ctx context.Context, tenantID string, kind SyncKind) (*SyncRun, error)

	SaveCheckpoint(ctx context.Context, cp *SyncCheckpoint) error
	Checkpoints(ctx context.Context, tenantID, runID string) ([]*SyncCheckpoint, error)

	// SyncStatus returns the tenant's status; a tenant never synced gets a
	// zero status with TenantID set.
	SyncStatus(ctx context.Context, tenantID string) (*SyncStatus, error)
	SaveSyncStatus(ctx context.Context, st *SyncStatus) error
	// NoteSyncApplied moves the tenant's LastAppliedAt forward to at (never
	// back), without touching the rest of its status.
	NoteSyncApplied(ctx context.Context, tenantID string, at time.Time) error
}

// EventSource names where an inbound webhook came from.
type EventSource string

// The webhook sources.
const (
	SourceCarerix  EventSource = "carerix"
	SourceWhatsApp EventSource = "whatsapp"
)

// InboundEvent is a verified webhook delivery, stored before it is processed
// so nothing acknowledged is ever lost. (TenantID, Source, ID) is unique:
// a redelivery of the same event is recognised and not processed twice.
type InboundEvent struct {
	TenantID string
	Source   EventSource
	ID       string // the provider's event id
	Type     string // e.g. cremployee:updated
	// Subject names the record the event is about, as entity/id (e.g.
	// cremployee/123); empty where unknown.
	Subject     string
	Payload     []byte // the raw, verified body
	ReceivedAt  time.Time
	ProcessedAt time.Time // zero until processed
	Outcome     string    // what processing did, for operators
}

// EventStore keeps inbound webhook events.
type EventStore interface {
	// RecordEvent stores ev unless an event with the same key exists; it
	// reports whether ev was new.
	RecordEvent(ctx context.Context, ev *InboundEvent) (bool, error)
	// RecordEventsAndEnqueue stores each of evs as RecordEvent does and,
	// when it was new, enqueues its job (jobs[i]) in the same
	// transaction, and reports which were new.
	RecordEventsAndEnqueue(ctx context.Context, evs []*InboundEvent, jobs []JobArgs) ([]bool, error)
	// Event returns ENOTFOUND if there is no such event.
	Event(ctx context.Context, tenantID string, source EventSource, id string) (*InboundEvent, error)
	MarkEventProcessed(ctx context.Context, tenantID string, source EventSource, id, outcome string, at time.Time) error
	// WaitingEventsAbout returns the ids and subjects of a tenant's
	// unprocessed events from one source about any of subjects.
	WaitingEventsAbout(ctx context.Context, tenantID string, source EventSource, subjects []string) ([]*InboundEvent, error)
	CountEvents(ctx context.Context, tenantID string, source EventSource) (int64, error)
	// EventStats summarises a tenant's events from one source.
	EventStats(ctx context.Context, tenantID string, source EventSource) (*EventStats, error)
	// WaitingEvents returns up to limit ids of a tenant's unprocessed
	// events from one source, oldest first.
	WaitingEvents(ctx context.Context, tenantID string, source EventSource, limit int) ([]string, error)
	// TenantsWithWaitingEvents returns the ids of tenants with an
	// unprocessed event from source received before the given time.
	TenantsWithWaitingEvents(ctx context.Context, source EventSource, receivedBefore time.Time) ([]string, error)
	// EventsOfType returns up to limit of a tenant's events from source
	// of one type (compared ignoring case) received at or after since,
	// newest first.
	EventsOfType(ctx context.Context, tenantID string, source EventSource, eventType string, since time.Time, limit int) ([]*InboundEvent, error)
}

// EventStats summarise a tenant's inbound events from one source: how many
// there are, how many wait for processing and since when.
type EventStats struct {
	Total       int64
	Unprocessed int64
	// LastReceivedAt and LastType describe the newest event.
	LastReceivedAt time.Time
	LastType       string
	// OldestUnprocessedAt is when the oldest waiting event arrived (zero
	// when none waits): the lag of processing.
	OldestUnprocessedAt time.Time
}
