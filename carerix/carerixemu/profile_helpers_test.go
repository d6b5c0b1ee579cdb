package carerixemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// startProfile runs an emulator of profile p whose webhook applications
// share the test key; mutate adjusts the options further.
func startProfile(t *testing.T, p carerixemu.Profile, mutate ...func(*carerixemu.Options)) *carerixemu.Server {
	t.Helper()
	pool, err := webhooks.NewKeyPool(testKey())
	if err != nil {
		t.Fatal(err)
	}
	return start(t, append([]func(*carerixemu.Options){func(o *carerixemu.Options) {
		o.Profile = p
		o.Webhooks.Keys = pool
	}}, mutate...)...)
}

// typeInfo is what __type tells of one type.
type typeInfo struct {
	Name        string
	Fields      []struct{ Name string }
	InputFields []struct{ Name string }
	EnumValues  []struct{ Name string }
}

// members lists a type's fields, input fields or enum values.
func (ti typeInfo) members() []string {
	var out []string
	for _, f := range ti.Fields {
		out = append(out, f.Name)
	}
	for _, f := range ti.InputFields {
		out = append(out, f.Name)
	}
	for _, v := range ti.EnumValues {
		out = append(out, v.Name)
	}
	return out
}

// lookupType introspects one type; nil when the schema has none.
func lookupType(t *testing.T, srv *carerixemu.Server, tok, name string) *typeInfo {
	t.Helper()
	var out struct {
		Type *typeInfo `json:"__type"`
	}
	mustData(t, gql(t, srv, tok, `query ($n: String!) { __type(name: $n) {
		name fields { name } inputFields { name } enumValues { name } } }`, map[string]any{"n": name}), &out)
	return out.Type
}

// delivery is one webhook request a receiver got.
type delivery struct {
	Header  http.Header
	Body    []byte
	Payload struct {
		Type string
		Data struct {
			EntityID      string
			ChangedFields []string
		}
	}
}

// hookReceiver records webhook deliveries.
type hookReceiver struct {
	URL string
	mu  sync.Mutex
	got []delivery
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		d := delivery{Header: r.Header.Clone(), Body: b}
		if err := json.Unmarshal(b, &d.Payload); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, d)
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL
	return rc
}

// deliveries returns what arrived so far.
func (rc *hookReceiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// types returns the sorted event types that arrived.
func (rc *hookReceiver) types() []string {
	var out []string
	for _, d := range rc.deliveries() {
		out = append(out, d.Payload.Type)
	}
	slices.Sort(out)
	return out
}

// byType returns the deliveries of one event type.
func (rc *hookReceiver) byType(typ string) []delivery {
	var out []delivery
	for _, d := range rc.deliveries() {
		if d.Payload.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// webhookApp is a created webhook application; PublicKey is "" when its
// signatureVerification is null.
type webhookApp struct {
	ID        string
	PublicKey string
}

// createWebhookApp creates a webhook application through GraphQL.
func createWebhookApp(t *testing.T, srv *carerixemu.Server, tok string) webhookApp {
	t.Helper()
	var out struct {
		WebhookApplicationCreate struct {
			ID                    string `json:"_id"`
			SignatureVerification *struct{ PublicKey string }
		}
	}
	mustData(t, gql(t, srv, tok, `mutation { webhookApplicationCreate(request: {_kind: "WebhookApplication", name: "recrubo"}) {
		_id signatureVerification { algorithm ... on AsymmetricSignatureVerification { publicKey } } } }`, nil), &out)
	app := webhookApp{ID: out.WebhookApplicationCreate.ID}
	if sv := out.WebhookApplicationCreate.SignatureVerification; sv != nil {
		app.PublicKey = sv.PublicKey
	}
	return app
}

// subscribe registers a webhook of app for url with the given filters.
func subscribe(t *testing.T, srv *carerixemu.Server, tok, appID, url string, filters ...string) {
	t.Helper()
	var fs []map[string]string
	for _, f := range filters {
		fs = append(fs, map[string]string{"eventType": f})
	}
	var out struct{ WebhookCreate struct{ Status string } }
	mustData(t, gql(t, srv, tok, `mutation ($app: ID!, $url: String!, $f: [WebhookFilterRequest!]!) {
		webhookCreate(request: {_kind: "Webhook", application: {_id: $app}, url: $url, filters: $f}) { status } }`,
		map[string]any{"app": appID, "url": url, "f": fs}), &out)
	if out.WebhookCreate.Status != "enabled" {
		t.Fatalf("webhook status %q", out.WebhookCreate.Status)
	}
}

// receiveEvents creates an application and one webhook with filters
// delivering to a new receiver.
func receiveEvents(t *testing.T, srv *carerixemu.Server, filters ...string) (*hookReceiver, webhookApp) {
	t.Helper()
	tok := token(t, srv, webhooks.ScopeManage)
	app := createWebhookApp(t, srv, tok)
	rc := newHookReceiver(t)
	subscribe(t, srv, tok, app.ID, rc.URL, filters...)
	return rc, app
}

// settle waits until every queued delivery has been attempted.
func settle(t *testing.T, srv *carerixemu.Server) {
	t.Helper()
	if err := srv.Webhooks().WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// firstError returns the message of a response's first error.
func firstError(r gqlResp) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}
