package carerixemu

import (
	"context"
	"fmt"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// GraphQL equivalents of the webhook management API, backed by
// webhooks.Service.

func formatAudit(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

type appResolver struct{ a webhooks.Application }

func (r *appResolver) ID() graphql.ID           { return graphql.ID(r.a.ID) }
func (r *appResolver) Kind() graphql.ID         { return "WebhookApplication" }
func (r *appResolver) Name() string             { return r.a.Name }
func (r *appResolver) CreatedDateTime() *string { return formatAudit(r.a.CreatedAt) }
func (r *appResolver) UpdatedDateTime() *string { return formatAudit(r.a.UpdatedAt) }

// SignatureVerification is null when the tenant signs every delivery with
// its global key.
func (r *appResolver) SignatureVerification() *sigResolver {
	if r.a.PublicKeyPEM == "" {
		return nil
	}
	return &sigResolver{alg: r.a.Algorithm, pem: r.a.PublicKeyPEM}
}

// sigResolver is the SignatureVerification interface; the only
// implementation is AsymmetricSignatureVerification.
type sigResolver struct{ alg, pem string }

func (r *sigResolver) Algorithm() string { return r.alg }
func (r *sigResolver) ToAsymmetricSignatureVerification() (*asymResolver, bool) {
	return &asymResolver{r.alg, r.pem}, true
}

type asymResolver struct{ alg, pem string }

func (r *asymResolver) Algorithm() string { return r.alg }
func (r *asymResolver) PublicKey() string { return r.pem }

type hookResolver struct {
	srv *Server
	w   webhooks.Webhook
}

func (r *hookResolver) ID() graphql.ID           { return graphql.ID(r.w.ID) }
func (r *hookResolver) Kind() graphql.ID         { return "Webhook" }
func (r *hookResolver) URL() string              { return r.w.URL }
func (r *hookResolver) Status() string           { return string(r.w.Status) }
func (r *hookResolver) CreatedDateTime() *string { return formatAudit(r.w.CreatedAt) }
func (r *hookResolver) UpdatedDateTime() *string { return formatAudit(r.w.UpdatedAt) }
func (r *hookResolver) Filters() []*filterResolver {
	out := make([]*filterResolver, len(r.w.Filters))
	for i, f := range r.w.Filters {
		out[i] = &filterResolver{f.EventType}
	}
	return out
}
func (r *hookResolver) CustomHeaders() []*headerResolver {
	out := make([]*headerResolver, len(r.w.CustomHeaders))
	for i, h := range r.w.CustomHeaders {
		out[i] = &headerResolver{h.Name, h.Value}
	}
	return out
}
func (r *hookResolver) Application(ctx context.Context) *appResolver {
	a, err := r.srv.hooks.Application(ctx, r.w.ApplicationID)
	if err != nil {
		return nil
	}
	return &appResolver{a}
}

type filterResolver struct{ eventType string }

func (r *filterResolver) EventType() string { return r.eventType }

type headerResolver struct{ name, value string }

func (r *headerResolver) Name() string  { return r.name }
func (r *headerResolver) Value() string { return r.value }

type jobResolver struct{ j webhooks.DeliveryJob }

func (r *jobResolver) ID() graphql.ID           { return graphql.ID(r.j.ID) }
func (r *jobResolver) Kind() graphql.ID         { return "WebhookDeliveryJob" }
func (r *jobResolver) CreatedDateTime() *string { return formatAudit(r.j.CreatedAt) }
func (r *jobResolver) URL() string              { return r.j.URL }
func (r *jobResolver) Payload() string          { return r.j.Payload }
func (r *jobResolver) Attempts() []*attemptResolver {
	out := make([]*attemptResolver, len(r.j.Attempts))
	for i, a := range r.j.Attempts {
		out[i] = &attemptResolver{a}
	}
	return out
}

type attemptResolver struct{ a webhooks.DeliveryAttempt }

func (r *attemptResolver) CreatedDateTime() *string { return formatAudit(r.a.CreatedAt) }
func (r *attemptResolver) DeliveryStatus() string   { return string(r.a.DeliveryStatus) }
func (r *attemptResolver) ResponseStatusCode() *int32 {
	if r.a.ResponseStatusCode == 0 {
		return nil
	}
	c := int32(r.a.ResponseStatusCode)
	return &c
}
func (r *attemptResolver) ResponseHeaders() *string { return optText(r.a.ResponseHeaders) }
func (r *attemptResolver) ResponsePayload() *string { return optText(r.a.ResponsePayload) }

// findWebhook locates a webhook by id across applications.
func (s *Server) findWebhook(ctx context.Context, id string) (webhooks.Webhook, error) {
	for _, a := range s.hooks.Applications(ctx) {
		hooks, err := s.hooks.Webhooks(ctx, a.ID)
		if err != nil {
			continue
		}
		for _, w := range hooks {
			if w.ID == id {
				return w, nil
			}
		}
	}
	return webhooks.Webhook{}, fmt.Errorf("webhook %q: %w", id, webhooks.ErrNotFound)
}

func (r *resolver) WebhookApplicationCreate(ctx context.Context, a struct {
	Request struct {
		Kind string
		Name string
	}
}) (*appResolver, error) {
	if err := r.srv.guard(ctx, "webhookApplicationCreate", -1); err != nil {
		return nil, err
	}
	if err := checkKind("request", a.Request.Kind, "WebhookApplication"); err != nil {
		return nil, err
	}
	app, err := r.srv.hooks.CreateApplication(ctx, a.Request.Name)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &appResolver{app}, nil
}

func (r *resolver) WebhookApplication(ctx context.Context, a idArg) (*appResolver, error) {
	if err := r.srv.guard(ctx, "webhookApplication", -1); err != nil {
		return nil, err
	}
	app, err := r.srv.hooks.Application(ctx, string(a.ID))
	if err != nil {
		return nil, toAPIError(err)
	}
	return &appResolver{app}, nil
}

func (r *resolver) WebhookApplicationPage(ctx context.Context, a struct{ Pageable *pageableArg }) (*page[*appResolver], error) {
	if err := r.srv.guard(ctx, "webhookApplicationPage", -1); err != nil {
		return nil, err
	}
	pg, size, err := a.Pageable.resolve(r.srv.opts.MaxPageSize)
	if err != nil {
		return nil, err
	}
	if err := a.Pageable.unsorted("webhook applications"); err != nil {
		return nil, err
	}
	var all []*appResolver
	for _, app := range r.srv.hooks.Applications(ctx) {
		all = append(all, &appResolver{app})
	}
	return &page[*appResolver]{items: window(all, pg, size), total: len(all), page: pg, size: size}, nil
}

func (r *resolver) WebhookApplicationDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "webhookApplicationDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.hooks.DeleteApplication(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), "WebhookApplication"}, nil
}

type webhookCreateRequest struct {
	Kind        string
	Application struct {
		Kind *string
		ID   graphql.ID
	}
	URL           string
	Filters       []struct{ EventType string }
	CustomHeaders *[]struct{ Name, Value string }
}

func (r *resolver) WebhookCreate(ctx context.Context, a struct{ Request webhookCreateRequest }) (*hookResolver, error) {
	if err := r.srv.guard(ctx, "webhookCreate", -1); err != nil {
		return nil, err
	}
	req := a.Request
	if err := checkKind("request", req.Kind, "Webhook"); err != nil {
		return nil, err
	}
	wr := webhooks.WebhookRequest{URL: req.URL}
	for _, f := range req.Filters {
		wr.Filters = append(wr.Filters, webhooks.Filter{EventType: f.EventType})
	}
	if req.CustomHeaders != nil {
		for _, h := range *req.CustomHeaders {
			wr.CustomHeaders = append(wr.CustomHeaders, webhooks.Header{Name: h.Name, Value: h.Value})
		}
	}
	w, err := r.srv.hooks.CreateWebhook(ctx, string(req.Application.ID), wr)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &hookResolver{r.srv, w}, nil
}

func (r *resolver) Webhook(ctx context.Context, a idArg) (*hookResolver, error) {
	if err := r.srv.guard(ctx, "webhook", -1); err != nil {
		return nil, err
	}
	w, err := r.srv.findWebhook(ctx, string(a.ID))
	if err != nil {
		return nil, toAPIError(err)
	}
	return &hookResolver{r.srv, w}, nil
}

func (r *resolver) WebhookPage(ctx context.Context, a struct {
	Application *graphql.ID
	Pageable    *pageableArg
}) (*page[*hookResolver], error) {
	if err := r.srv.guard(ctx, "webhookPage", -1); err != nil {
		return nil, err
	}
	pg, size, err := a.Pageable.resolve(r.srv.opts.MaxPageSize)
	if err != nil {
		return nil, err
	}
	if err := a.Pageable.unsorted("webhooks"); err != nil {
		return nil, err
	}
	var apps []string
	if a.Application != nil {
		apps = []string{string(*a.Application)}
	} else {
		for _, app := range r.srv.hooks.Applications(ctx) {
			apps = append(apps, app.ID)
		}
	}
	var all []*hookResolver
	for _, id := range apps {
		hooks, err := r.srv.hooks.Webhooks(ctx, id)
		if err != nil {
			return nil, toAPIError(err)
		}
		for _, w := range hooks {
			all = append(all, &hookResolver{r.srv, w})
		}
	}
	return &page[*hookResolver]{items: window(all, pg, size), total: len(all), page: pg, size: size}, nil
}

// setHookStatus enables or disables a webhook found by id.
func (r *resolver) setHookStatus(ctx context.Context, op string, id graphql.ID, st webhooks.Status) (*hookResolver, error) {
	if err := r.srv.guard(ctx, op, -1); err != nil {
		return nil, err
	}
	w, err := r.srv.findWebhook(ctx, string(id))
	if err != nil {
		return nil, toAPIError(err)
	}
	if err := r.srv.hooks.SetWebhookStatus(ctx, w.ApplicationID, w.ID, st); err != nil {
		return nil, toAPIError(err)
	}
	if w, err = r.srv.hooks.Webhook(ctx, w.ApplicationID, w.ID); err != nil {
		return nil, toAPIError(err)
	}
	return &hookResolver{r.srv, w}, nil
}

func (r *resolver) WebhookEnable(ctx context.Context, a idArg) (*hookResolver, error) {
	return r.setHookStatus(ctx, "webhookEnable", a.ID, webhooks.StatusEnabled)
}

func (r *resolver) WebhookDisable(ctx context.Context, a idArg) (*hookResolver, error) {
	return r.setHookStatus(ctx, "webhookDisable", a.ID, webhooks.StatusDisabled)
}

func (r *resolver) WebhookDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "webhookDelete", -1); err != nil {
		return nil, err
	}
	w, err := r.srv.findWebhook(ctx, string(a.ID))
	if err != nil {
		return nil, toAPIError(err)
	}
	if err := r.srv.hooks.DeleteWebhook(ctx, w.ApplicationID, w.ID); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{w.ID, "Webhook"}, nil
}

func (r *resolver) WebhookDeliveryJobPage(ctx context.Context, a struct {
	Webhook  graphql.ID
	Pageable *pageableArg
}) (*page[*jobResolver], error) {
	if err := r.srv.guard(ctx, "webhookDeliveryJobPage", -1); err != nil {
		return nil, err
	}
	pg, size, err := a.Pageable.resolve(r.srv.opts.MaxPageSize)
	if err != nil {
		return nil, err
	}
	if err := a.Pageable.unsorted("delivery jobs"); err != nil {
		return nil, err
	}
	var all []*jobResolver
	for _, j := range r.srv.hooks.DeliveryJobs(ctx, string(a.Webhook)) {
		all = append(all, &jobResolver{j})
	}
	return &page[*jobResolver]{items: window(all, pg, size), total: len(all), page: pg, size: size}, nil
}
