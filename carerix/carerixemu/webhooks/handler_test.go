package webhooks_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

func TestManagementValidationErrors(t *testing.T) {
	_, api := newService(t, webhooks.Options{MaxFilters: 3})
	app := createApp(t, api, "validation")
	hooks := "/webhooks/v1/applications/" + app.ID + "/webhooks"
	filters := func(n int) []map[string]string {
		var out []map[string]string
		for i := range n {
			out = append(out, map[string]string{"eventType": fmt.Sprintf("cremployee:e%d", i)})
		}
		return out
	}
	ok := filters(1)
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantMsg    string // substring of the error message
	}{
		{"RelativeURL", "POST", hooks, map[string]any{"url": "/hook", "filters": ok}, 400, "absolute http or https"},
		{"FTPURL", "POST", hooks, map[string]any{"url": "ftp://example.test/x", "filters": ok}, 400, "absolute http or https"},
		{"MissingURL", "POST", hooks, map[string]any{"filters": ok}, 400, "url is required"},
		{"NoFilters", "POST", hooks, map[string]any{"url": "https://example.test/h"}, 400, "at least one filter"},
		{"TooManyFilters", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": filters(4)}, 400, "too many filters: 4, at most 3"},
		{"FilterWithoutEventType", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": []map[string]string{{"type": "cremployee:updated"}}}, 400, "filters[0]: eventType is required"},
		{"MalformedEventType", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": []map[string]string{{"eventType": "cremployee updated"}}}, 400, "must look like"},
		{"NonStringEventType", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": []map[string]any{{"eventType": 7}}}, 400, "must be a string"},
		{"ReservedHeaderAnyCase", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": ok, "customHeaders": []map[string]string{{"name": "cx-signature", "value": "x"}}}, 400, "reserved"},
		{"ReservedContentType", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": ok, "customHeaders": []map[string]string{{"name": "Content-Type", "value": "text/plain"}}}, 400, "reserved"},
		{"ReservedSchemaVersion", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": ok, "customHeaders": []map[string]string{{"name": "Cx-Payload-Schema-Version", "value": "2"}}}, 400, "reserved"},
		{"HeaderValueNewline", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": ok, "customHeaders": []map[string]string{{"name": "X-A", "value": "a\r\nX-B: b"}}}, 400, "line break"},
		{"HeaderNameInvalid", "POST", hooks, map[string]any{"url": "https://example.test/h", "filters": ok, "customHeaders": []map[string]string{{"name": "X A", "value": "a"}}}, 400, "not a valid HTTP header name"},
		{"WrongKind", "POST", hooks, map[string]any{"_kind": "Application", "url": "https://example.test/h", "filters": ok}, 400, `_kind must be "Webhook"`},
		{"InvalidJSON", "POST", hooks, `{"url":`, 400, "not valid JSON"},
		{"AppWithoutName", "POST", "/webhooks/v1/applications", map[string]string{"_kind": "Application"}, 400, "name is required"},
		{"UnknownApplication", "POST", "/webhooks/v1/applications/nope/webhooks", map[string]any{"url": "https://example.test/h", "filters": ok}, 404, `application "nope"`},
		{"UnknownWebhook", "GET", hooks + "/nope", nil, 404, `webhook "nope"`},
		{"EnableUnknownWebhook", "POST", hooks + "/nope/enable", nil, 404, `webhook "nope"`},
		{"DeleteUnknownApplication", "DELETE", "/webhooks/v1/applications/nope", nil, 404, `application "nope"`},
		{"UnknownRoute", "PUT", hooks, nil, 404, "no route for PUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e apiErr
			code := call(t, api, tc.method, tc.path, tc.body, &e)
			if code != tc.wantStatus || e.Status != tc.wantStatus || e.Kind != "Error" {
				t.Errorf("status %d, body %+v; want %d", code, e, tc.wantStatus)
			}
			if !strings.Contains(e.Message, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.wantMsg)
			}
		})
	}
}

func TestManagementAcceptsUnknownFilterKeysAndMaxFilters(t *testing.T) {
	_, api := newService(t, webhooks.Options{})
	app := createApp(t, api, "lenient")
	var filters []map[string]string
	for i := range 10 {
		filters = append(filters, map[string]string{"eventType": fmt.Sprintf("crmatch:a%d", i), "condition": "metadata.paths has any of ['toStatusNode']"})
	}
	var h apiHook
	code := call(t, api, "POST", "/webhooks/v1/applications/"+app.ID+"/webhooks/",
		map[string]any{"url": "https://example.test/h", "filters": filters}, &h)
	if code != http.StatusCreated || len(h.Filters) != 10 || h.Filters[0].EventType != "crmatch:a0" {
		t.Fatalf("status %d, webhook %+v; want 201 with 10 filters", code, h)
	}
	if h.Status != "enabled" {
		t.Errorf("new webhook status %q, want enabled", h.Status)
	}
}

func TestManagementResourcesAndFields(t *testing.T) {
	_, api := newService(t, webhooks.Options{})
	var created map[string]any
	if code := call(t, api, "POST", "/webhooks/v1/applications", map[string]string{"_kind": "Application", "name": "my-first-application"}, &created); code != http.StatusCreated {
		t.Fatalf("create without trailing slash: %d", code)
	}
	if created["_kind"] != "Application" || created["name"] != "my-first-application" || created["_id"] == "" {
		t.Errorf("created = %v", created)
	}
	appID := created["_id"].(string)
	second := createApp(t, api, "second")

	var list []map[string]any
	call(t, api, "GET", "/webhooks/v1/applications", nil, &list)
	if diff := cmp.Diff([]map[string]any{
		{"_kind": "Application", "_id": appID},
		{"_kind": "Application", "_id": second.ID},
	}, list); diff != "" {
		t.Errorf("list without fields (-want +got):\n%s", diff)
	}
	list = nil
	call(t, api, "GET", "/webhooks/v1/applications/?fields=name", nil, &list)
	if diff := cmp.Diff([]map[string]any{
		{"_kind": "Application", "_id": appID, "name": "my-first-application"},
		{"_kind": "Application", "_id": second.ID, "name": "second"},
	}, list); diff != "" {
		t.Errorf("list with fields=name (-want +got):\n%s", diff)
	}

	var app apiApp
	call(t, api, "GET", "/webhooks/v1/applications/"+appID, nil, &app)
	if app.SignatureVerification.Algorithm != "RSA-SHA256" || !strings.HasPrefix(app.SignatureVerification.PublicKey, "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("signatureVerification = %+v", app.SignatureVerification)
	}

	hook := createHook(t, api, appID, "https://example.test/h", "cremployee:updated")
	hooks := "/webhooks/v1/applications/" + appID + "/webhooks"
	var hookList []map[string]any
	call(t, api, "GET", hooks+"?fields=filters,url,status", nil, &hookList)
	if diff := cmp.Diff([]map[string]any{{
		"_kind": "Webhook", "_id": hook.ID, "url": "https://example.test/h", "status": "enabled",
		"filters": []any{map[string]any{"eventType": "cremployee:updated"}},
	}}, hookList); diff != "" {
		t.Errorf("webhook list with fields (-want +got):\n%s", diff)
	}
	var one map[string]any
	call(t, api, "GET", hooks+"/"+hook.ID+"?fields=status", nil, &one)
	if diff := cmp.Diff(map[string]any{"_kind": "Webhook", "_id": hook.ID, "status": "enabled"}, one); diff != "" {
		t.Errorf("webhook get with fields (-want +got):\n%s", diff)
	}
	var full apiHook
	call(t, api, "GET", hooks+"/"+hook.ID, nil, &full)
	if len(full.CustomHeaders) != 1 || full.CustomHeaders[0].Name != "X-Api-Key" || full.URL != "https://example.test/h" {
		t.Errorf("full webhook = %+v", full)
	}

	if code := call(t, api, "DELETE", hooks+"/"+hook.ID, nil, nil); code != http.StatusNoContent {
		t.Errorf("delete webhook: %d", code)
	}
	if code := call(t, api, "GET", hooks+"/"+hook.ID, nil, nil); code != http.StatusNotFound {
		t.Errorf("get deleted webhook: %d, want 404", code)
	}

	createHook(t, api, appID, "https://example.test/h2", "crmatch:updated")
	if code := call(t, api, "DELETE", "/webhooks/v1/applications/"+appID, nil, nil); code != http.StatusNoContent {
		t.Errorf("delete application: %d", code)
	}
	if code := call(t, api, "GET", hooks, nil, nil); code != http.StatusNotFound {
		t.Errorf("list webhooks of deleted application: %d, want 404", code)
	}
	list = nil
	call(t, api, "GET", "/webhooks/v1/applications", nil, &list)
	if len(list) != 1 || list[0]["_id"] != second.ID {
		t.Errorf("after delete list = %v, want only %s", list, second.ID)
	}
}

// tokenAuthorizer accepts "Bearer <token>" whose scopes are listed in tokens.
func tokenAuthorizer(tokens map[string][]string) func(*http.Request, string) error {
	return func(r *http.Request, scope string) error {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		scopes, known := tokens[tok]
		if !ok || !known {
			return fmt.Errorf("%w: no valid bearer token", webhooks.ErrUnauthenticated)
		}
		if !slices.Contains(scopes, scope) {
			return fmt.Errorf("%w: lacks %s", webhooks.ErrForbidden, scope)
		}
		return nil
	}
}

func TestManagementAuthorization(t *testing.T) {
	_, api := newService(t, webhooks.Options{Authorize: tokenAuthorizer(map[string][]string{
		"admin":  {webhooks.ScopeManage},
		"reader": {webhooks.ScopeApplicationsRead},
		"apps":   {webhooks.ScopeApplicationsManage},
		"other":  {"urn:cx/cx5Wrapper:data:manage"},
	})})
	body := map[string]string{"_kind": "Application", "name": "a"}

	var e apiErr
	if code := callAuth(t, api, "GET", "/webhooks/v1/applications", "", nil, &e); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	if code := callAuth(t, api, "GET", "/webhooks/v1/applications", "bogus", nil, &e); code != http.StatusUnauthorized {
		t.Errorf("unknown token: %d, want 401", code)
	}
	e = apiErr{}
	if code := callAuth(t, api, "POST", "/webhooks/v1/applications", "other", body, &e); code != http.StatusForbidden || !strings.Contains(e.Message, webhooks.ScopeManage) {
		t.Errorf("token without webhook scopes: %d %q, want 403 naming %s", code, e.Message, webhooks.ScopeManage)
	}
	if code := callAuth(t, api, "GET", "/webhooks/v1/applications", "reader", nil, nil); code != http.StatusOK {
		t.Errorf("applications:read GET: %d, want 200", code)
	}
	e = apiErr{}
	if code := callAuth(t, api, "POST", "/webhooks/v1/applications", "reader", body, &e); code != http.StatusForbidden || !strings.Contains(e.Message, webhooks.ScopeApplicationsManage) {
		t.Errorf("applications:read POST: %d %q, want 403 naming %s", code, e.Message, webhooks.ScopeApplicationsManage)
	}
	var app apiApp
	if code := callAuth(t, api, "POST", "/webhooks/v1/applications", "apps", body, &app); code != http.StatusCreated {
		t.Fatalf("applications:manage POST: %d, want 201", code)
	}
	hookBody := map[string]any{"url": "https://example.test/h", "filters": []map[string]string{{"eventType": "cremployee:updated"}}}
	if code := callAuth(t, api, "POST", "/webhooks/v1/applications/"+app.ID+"/webhooks", "apps", hookBody, nil); code != http.StatusForbidden {
		t.Errorf("applications:manage creating a webhook: %d, want 403", code)
	}
	if code := callAuth(t, api, "POST", "/webhooks/v1/applications/"+app.ID+"/webhooks", "admin", hookBody, nil); code != http.StatusCreated {
		t.Errorf("data:manage creating a webhook: %d, want 201", code)
	}
}

func TestServiceMethodErrors(t *testing.T) {
	svc, _ := newService(t, webhooks.Options{})
	ctx := t.Context()
	app, err := svc.CreateApplication(ctx, "plain")
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateApplication(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	hook, err := svc.CreateWebhook(ctx, app.ID, webhooks.WebhookRequest{URL: "http://127.0.0.1:1/h", Filters: []webhooks.Filter{{EventType: "crvacancy:updated"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Webhook(ctx, other.ID, hook.ID); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("webhook via another application: %v, want ErrNotFound", err)
	}
	if err := svc.SetWebhookStatus(ctx, app.ID, hook.ID, "paused"); !errors.Is(err, webhooks.ErrInvalid) {
		t.Errorf("unknown status: %v, want ErrInvalid", err)
	}
	if _, err := svc.CreateWebhook(ctx, "missing", webhooks.WebhookRequest{URL: "http://x.test", Filters: []webhooks.Filter{{EventType: "a:b"}}}); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("unknown application: %v, want ErrNotFound", err)
	}
	if _, err := svc.Application(ctx, "missing"); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("Application(missing): %v, want ErrNotFound", err)
	}
	if err := svc.DeleteWebhook(ctx, app.ID, "missing"); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("DeleteWebhook(missing): %v, want ErrNotFound", err)
	}
	if err := svc.SetWebhookStatus(ctx, app.ID, hook.ID, webhooks.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Webhook(ctx, app.ID, hook.ID)
	if err != nil || got.Status != webhooks.StatusDisabled {
		t.Errorf("after disable: %+v, %v", got, err)
	}
	if apps := svc.Applications(ctx); len(apps) != 2 || apps[0].ID != app.ID || apps[1].ID != other.ID {
		t.Errorf("Applications() = %+v, want creation order", apps)
	}
}

func TestCreateDisabledOption(t *testing.T) {
	svc, _ := newService(t, webhooks.Options{CreateDisabled: true})
	app, err := svc.CreateApplication(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	h, err := svc.CreateWebhook(t.Context(), app.ID, webhooks.WebhookRequest{URL: "https://x.test", Filters: []webhooks.Filter{{EventType: "a:b"}}})
	if err != nil || h.Status != webhooks.StatusDisabled {
		t.Errorf("CreateWebhook = %+v, %v; want status disabled", h, err)
	}
}
