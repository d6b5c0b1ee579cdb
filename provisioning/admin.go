package provisioning

import (
	"context"

	"github.com/recrubo/recrubo-carerix/carerix"
)

// Admin is the Carerix API provisioning uses, through the customer's admin
// account; *carerix.Client implements it.
type Admin interface {
	// Contract is the tenant's Carerix contract the client holds;
	// ReadContract reads it from Carerix again.
	Contract(ctx context.Context) (*carerix.Contract, error)
	ReadContract(ctx context.Context) (*carerix.Contract, error)

	TemplateReferencePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.TemplateReference], error)
	CreateTemplateReference(ctx context.Context, r carerix.TemplateReferenceRequest) (*carerix.TemplateReference, error)
	UpdateTemplateReference(ctx context.Context, id string, r carerix.TemplateReferenceRequest) (*carerix.TemplateReference, error)
	DeleteTemplateReference(ctx context.Context, id string) error

	ToDo(ctx context.Context, id string) (*carerix.ToDo, error)
	CreateToDo(ctx context.Context, f carerix.ToDoFields) (*carerix.ToDo, error)
	UpdateToDo(ctx context.Context, id string, f carerix.ToDoFields) (*carerix.ToDo, error)
	DeleteToDo(ctx context.Context, id string) error

	WebhookApplications(ctx context.Context) ([]carerix.WebhookApplication, error)
	CreateWebhookApplication(ctx context.Context, name string) (*carerix.WebhookApplication, error)
	DeleteWebhookApplication(ctx context.Context, appID string) error
	WebhookSignatureKey(ctx context.Context, appID string) (*carerix.SignatureVerification, error)
	Webhooks(ctx context.Context, appID string) ([]carerix.Webhook, error)
	CreateWebhook(ctx context.Context, appID string, r carerix.WebhookRequest) (*carerix.Webhook, error)
	EnableWebhook(ctx context.Context, appID, id string) error
	DeleteWebhook(ctx context.Context, appID, id string) error
}

// *carerix.Client is an Admin.
var _ Admin = (*carerix.Client)(nil)
