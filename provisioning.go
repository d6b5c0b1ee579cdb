package recrubo

import (
	"context"
	"time"
)

// ProvisionKind names what provisioning created in a tenant's Carerix.
type ProvisionKind string

// The things provisioning creates.
const (
	// ProvisionTemplate is a document template (CRTemplateReference); its
	// Key is our namespaced template code, e.g. "recrubo.inbox".
	ProvisionTemplate ProvisionKind = "template"
	// ProvisionWebhookApp is our webhook application; its Key is "app".
	ProvisionWebhookApp ProvisionKind = "webhook_application"
	// ProvisionWebhook is one webhook of our application; its Key names
	// the entity it subscribes to, e.g. "cremployee".
	ProvisionWebhook ProvisionKind = "webhook"
	// ProvisionProbe is the integration check activity (a CRToDo) that the
	// verify page updates to cause a webhook delivery; its Key is "check".
	ProvisionProbe ProvisionKind = "probe"
)

// ProvisionedItem records one thing provisioning created in Carerix, so a
// rerun updates it instead of creating a second one, an unchanged item is
// not rewritten, and unprovisioning removes exactly what we created.
type ProvisionedItem struct {
	TenantID string
	Kind     ProvisionKind
	// Key is our stable name of the item within its kind.
	Key string
	// RemoteID is Carerix's _id of the item; ParentID is the owning
	// application's id for a webhook.
	RemoteID string
	ParentID string
	// Hash is the content hash of what we last wrote.
	Hash      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProvisionState is the outcome of a provisioning run.
type ProvisionState string

// The states of a provisioning run.
const (
	ProvisionRunning   ProvisionState = "running"
	ProvisionSucceeded ProvisionState = "succeeded"
	ProvisionFailed    ProvisionState = "failed"
)

// ProvisionRun is one provisioning (or unprovisioning) of a tenant.
type ProvisionRun struct {
	ID       string
	TenantID string
	// Action is "provision" or "unprovision".
	Action string
	State  ProvisionState
	// Summary is the plan as applied, one line per item.
	Summary    string
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
}

// VerifyLink is the tenant's current verify link. Issuing a new one
// replaces it, which revokes the previous link.
type VerifyLink struct {
	TenantID  string
	ID        string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// ProvisionStore keeps what provisioning created in a tenant's Carerix and
// the verify links issued to its admin.
type ProvisionStore interface {
	// SaveProvisionedItem inserts or replaces the item (TenantID, Kind, Key).
	SaveProvisionedItem(ctx context.Context, it *ProvisionedItem) error
	// DeleteProvisionedItem forgets an item; forgetting a missing item is
	// not an error.
	DeleteProvisionedItem(ctx context.Context, tenantID string, kind ProvisionKind, key string) error
	// ProvisionedItems lists the tenant's items ordered by kind and key.
	ProvisionedItems(ctx context.Context, tenantID string) ([]*ProvisionedItem, error)

	// SaveProvisionRun inserts or updates a run, assigning its ID when empty.
	SaveProvisionRun(ctx context.Context, run *ProvisionRun) error
	// LatestProvisionRun returns the newest run, or ENOTFOUND.
	LatestProvisionRun(ctx context.Context, tenantID string) (*ProvisionRun, error)

	// SaveVerifyLink makes l the tenant's current verify link.
	SaveVerifyLink(ctx context.Context, l *VerifyLink) error
	// CurrentVerifyLink returns the tenant's current link, or ENOTFOUND.
	CurrentVerifyLink(ctx context.Context, tenantID string) (*VerifyLink, error)

	// LastEventAt returns when the newest event of source was received for
	// the tenant; zero when none was.
	LastEventAt(ctx context.Context, tenantID string, source EventSource) (time.Time, error)
}
