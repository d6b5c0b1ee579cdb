package carerix_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestWebhookManagement(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	c := newClient(t, srv, nil)

	app, err := c.CreateWebhookApplication(ctx, "recrubo-acme")
	if err != nil {
		t.Fatalf("CreateWebhookApplication: %v", err)
	}
	if app.ID == "" || app.Name != "recrubo-acme" || app.CreatedAt.IsZero() {
		t.Errorf("application = %+v", app)
	}
	if app.SignatureVerification == nil || !strings.Contains(app.SignatureVerification.PublicKey, "PUBLIC KEY") {
		t.Errorf("signature verification = %+v", app.SignatureVerification)
	}

	apps, err := c.WebhookApplications(ctx)
	if err != nil {
		t.Fatalf("WebhookApplications: %v", err)
	}
	if len(apps) != 1 || apps[0].ID != app.ID || apps[0].Name != "recrubo-acme" || apps[0].SignatureVerification == nil {
		t.Errorf("listed applications carry no data: %+v", apps)
	}
	got, err := c.WebhookApplication(ctx, app.ID)
	if err != nil || got.Name != app.Name {
		t.Errorf("WebhookApplication = %+v, %v", got, err)
	}
	key, err := c.WebhookSignatureKey(ctx, app.ID)
	if err != nil {
		t.Fatalf("WebhookSignatureKey: %v", err)
	}
	if _, err := carerix.NewRSAVerifier(key.PublicKey); err != nil || key.Algorithm == "" {
		t.Errorf("signature key %+v unusable: %v", key, err)
	}
	routeKey, err := c.WebhookSignatureKeyRoute(ctx, app.ID)
	if err != nil {
		t.Fatalf("WebhookSignatureKeyRoute: %v", err)
	}
	if *routeKey != *key {
		t.Errorf("signature-key route %+v differs from application key %+v", routeKey, key)
	}

	req := carerix.WebhookRequest{
		URL:           "https://recrubo.example/webhooks/carerix/acme",
		Filters:       []carerix.WebhookFilter{{EventType: "cremployee:updated"}, {EventType: "crmatch:created"}},
		CustomHeaders: []carerix.WebhookHeader{{Name: "X-Recrubo-Secret", Value: "s3cr3t"}},
	}
	hook, err := c.CreateWebhook(ctx, app.ID, req)
	if err != nil {
		t.Fatalf("CreateWebhook: %v", err)
	}
	if hook.ID == "" || hook.ApplicationID != app.ID || hook.URL != req.URL || hook.Status != carerix.WebhookEnabled {
		t.Errorf("webhook = %+v", hook)
	}
	if diff := cmp.Diff(req.Filters, hook.Filters); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(req.CustomHeaders, hook.CustomHeaders); diff != "" {
		t.Errorf("custom headers (-want +got):\n%s", diff)
	}

	hooks, err := c.Webhooks(ctx, app.ID)
	if err != nil {
		t.Fatalf("Webhooks: %v", err)
	}
	if len(hooks) != 1 || hooks[0].URL != req.URL || len(hooks[0].Filters) != 2 || hooks[0].Status != carerix.WebhookEnabled {
		t.Errorf("listed webhooks carry no data: %+v", hooks)
	}

	if err := c.DisableWebhook(ctx, app.ID, hook.ID); err != nil {
		t.Fatalf("DisableWebhook: %v", err)
	}
	if h, err := c.Webhook(ctx, app.ID, hook.ID); err != nil || h.Status != carerix.WebhookDisabled {
		t.Errorf("after disable: %+v, %v", h, err)
	}
	if err := c.EnableWebhook(ctx, app.ID, hook.ID); err != nil {
		t.Fatalf("EnableWebhook: %v", err)
	}
	if h, err := c.Webhook(ctx, app.ID, hook.ID); err != nil || h.Status != carerix.WebhookEnabled {
		t.Errorf("after enable: %+v, %v", h, err)
	}

	if err := c.DeleteWebhook(ctx, app.ID, hook.ID); err != nil {
		t.Fatalf("DeleteWebhook: %v", err)
	}
	if _, err := c.Webhook(ctx, app.ID, hook.ID); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("deleted webhook: err = %v, want ErrNotFound", err)
	}
	if err := c.DeleteWebhookApplication(ctx, app.ID); err != nil {
		t.Fatalf("DeleteWebhookApplication: %v", err)
	}
	if _, err := c.WebhookApplication(ctx, app.ID); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("deleted application: err = %v, want ErrNotFound", err)
	}
}

func TestWebhookRequestValidation(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, nil)
	ok := carerix.WebhookRequest{URL: "https://recrubo.example/h", Filters: []carerix.WebhookFilter{{EventType: "cremployee:updated"}}}
	tests := map[string]func(*carerix.WebhookRequest){
		"http url":       func(r *carerix.WebhookRequest) { r.URL = "http://recrubo.example/h" },
		"relative url":   func(r *carerix.WebhookRequest) { r.URL = "/h" },
		"no filters":     func(r *carerix.WebhookRequest) { r.Filters = nil },
		"bad event type": func(r *carerix.WebhookRequest) { r.Filters = []carerix.WebhookFilter{{EventType: "cremployee"}} },
		"reserved header": func(r *carerix.WebhookRequest) {
			r.CustomHeaders = []carerix.WebhookHeader{{Name: "cx-signature", Value: "x"}}
		},
		"header newline": func(r *carerix.WebhookRequest) {
			r.CustomHeaders = []carerix.WebhookHeader{{Name: "X-A", Value: "a\r\nX-B: b"}}
		},
		"too many filters": func(r *carerix.WebhookRequest) {
			r.Filters = slices.Repeat([]carerix.WebhookFilter{{EventType: "a:b"}}, carerix.MaxWebhookFilters+1)
		},
	}
	for name, modify := range tests {
		r := ok
		modify(&r)
		if _, err := c.CreateWebhook(t.Context(), "app", r); !errors.Is(err, carerix.ErrBadRequest) {
			t.Errorf("%s: err = %v, want ErrBadRequest", name, err)
		}
	}
	if got := srv.Stats().TokenRequests; got != 0 {
		t.Errorf("invalid requests reached the network (%d token requests)", got)
	}
	if _, err := c.Webhook(t.Context(), "", "x"); !errors.Is(err, carerix.ErrBadRequest) {
		t.Errorf("empty application id: err = %v", err)
	}
}

// TestWebhookDeliveryVerifies subscribes a loopback receiver, changes a
// candidate in the emulator and checks that the delivery parses and its
// signature verifies with the application's key.
func TestWebhookDeliveryVerifies(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	ids := seedEmployees(t, srv, 1, "CAND_ACTIVE")

	type delivery struct {
		body   []byte
		header http.Header
	}
	got := make(chan delivery, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got <- delivery{body, r.Header.Clone()}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)

	c := newClient(t, srv, nil)
	app, err := c.CreateWebhookApplication(ctx, "recrubo")
	if err != nil {
		t.Fatal(err)
	}
	hook, err := c.CreateWebhook(ctx, app.ID, carerix.WebhookRequest{
		URL:           receiver.URL + "/hook",
		Filters:       []carerix.WebhookFilter{{EventType: "CREmployee:updated"}},
		CustomHeaders: []carerix.WebhookHeader{{Name: "X-Recrubo-Secret", Value: "s3cr3t"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.WebhookSignatureKey(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := carerix.NewRSAVerifier(key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.UpdateEmployee(ctx, ids[0], carerixemu.EmployeeFields{LastName: ptr("Bakker")}); err != nil {
		t.Fatal(err)
	}

	var d delivery
	select {
	case d = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook delivery arrived")
	}
	if err := verifier.Verify(d.body, d.header.Get(carerix.SignatureHeader)); err != nil {
		t.Errorf("signature: %v", err)
	}
	tampered := append([]byte(nil), d.body...)
	tampered = append(tampered, ' ')
	if err := verifier.Verify(tampered, d.header.Get(carerix.SignatureHeader)); !errors.Is(err, carerix.ErrBadSignature) {
		t.Errorf("tampered body verified: %v", err)
	}
	if d.header.Get("X-Recrubo-Secret") != "s3cr3t" {
		t.Errorf("custom header missing: %v", d.header)
	}
	ev, err := carerix.ParseWebhookEvent(d.body)
	if err != nil {
		t.Fatalf("ParseWebhookEvent(%s): %v", d.body, err)
	}
	if ev.Entity != "cremployee" || ev.Action != "updated" || ev.EntityID != ids[0] || ev.ApplicationID != app.ID ||
		ev.WebhookID != hook.ID || ev.Tenant != "acme" || ev.Time.IsZero() || ev.ID == "" {
		t.Errorf("event = %+v", ev)
	}
	if !slices.ContainsFunc(ev.ChangedFields, func(f string) bool { return strings.EqualFold(f, "lastName") }) {
		t.Errorf("changed fields = %v, want lastName", ev.ChangedFields)
	}
}
