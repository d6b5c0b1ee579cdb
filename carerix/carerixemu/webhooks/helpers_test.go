package webhooks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// testKey is generated once per test binary because RSA-2048 generation
// is slow; every test application shares it through a KeyPool.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, webhooks.KeyBits)
})

// fixedNow is the clock of test services.
var fixedNow = time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC)

// newService starts a Service with fast retries and a shared key, plus an
// httptest server for its management API. opts fields that are set win.
func newService(t testing.TB, opts webhooks.Options) (*webhooks.Service, *httptest.Server) {
	t.Helper()
	key, err := testKey()
	if err != nil {
		t.Fatalf("generating test key: %v", err)
	}
	if opts.Keys == nil {
		pool, err := webhooks.NewKeyPool(key)
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = pool
	}
	if opts.Tenant == "" {
		opts.Tenant = "acme"
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	if opts.Backoff == nil {
		opts.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	svc, err := webhooks.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	api := httptest.NewServer(svc.Handler())
	t.Cleanup(api.Close)
	return svc, api
}

// received is one request captured by a receiver.
type received struct {
	header http.Header
	body   []byte
}

// payload decodes the body as a webhook payload.
func (r received) payload(t *testing.T) webhooks.Payload {
	t.Helper()
	var p webhooks.Payload
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("decoding payload %s: %v", r.body, err)
	}
	return p
}

// receiver is a webhook endpoint that records requests and answers with
// the status chosen by respond for the n-th request (1-based).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	respond func(n int) int
}

// newReceiver starts a receiver; respond nil means always 200.
func newReceiver(t testing.TB, respond func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		n := len(rc.got)
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.respond != nil {
			status = rc.respond(n)
		}
		w.Header().Set("X-Receiver", "yes")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// requests returns a copy of what the receiver got so far.
func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// call sends a management request and decodes the JSON answer into out
// (when out is non-nil). It returns the status code.
func call(t testing.TB, api *httptest.Server, method, path string, body any, out any) int {
	t.Helper()
	return callAuth(t, api, method, path, "", body, out)
}

// callAuth is call with a bearer token (none when empty).
func callAuth(t testing.TB, api *httptest.Server, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, api.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := api.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// apiApp is the subset of the application JSON the tests read.
type apiApp struct {
	Kind                  string `json:"_kind"`
	ID                    string `json:"_id"`
	Name                  string `json:"name"`
	SignatureVerification struct {
		Algorithm string `json:"algorithm"`
		PublicKey string `json:"publicKey"`
	} `json:"signatureVerification"`
}

// apiHook is the subset of the webhook JSON the tests read.
type apiHook struct {
	Kind    string `json:"_kind"`
	ID      string `json:"_id"`
	URL     string `json:"url"`
	Status  string `json:"status"`
	Filters []struct {
		EventType string `json:"eventType"`
	} `json:"filters"`
	CustomHeaders []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"customHeaders"`
}

// apiErr is the error JSON.
type apiErr struct {
	Kind    string `json:"_kind"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// createApp creates an application over REST and fetches it in full.
func createApp(t testing.TB, api *httptest.Server, name string) apiApp {
	t.Helper()
	var created apiApp
	if code := call(t, api, "POST", "/webhooks/v1/applications/", map[string]string{"_kind": "Application", "name": name}, &created); code != http.StatusCreated {
		t.Fatalf("create application: status %d", code)
	}
	var full apiApp
	if code := call(t, api, "GET", "/webhooks/v1/applications/"+created.ID, nil, &full); code != http.StatusOK {
		t.Fatalf("get application: status %d", code)
	}
	return full
}

// createHook creates a webhook over REST for url and event types.
func createHook(t testing.TB, api *httptest.Server, appID, url string, eventTypes ...string) apiHook {
	t.Helper()
	filters := []map[string]string{}
	for _, et := range eventTypes {
		filters = append(filters, map[string]string{"eventType": et})
	}
	body := map[string]any{"_kind": "Webhook", "url": url, "filters": filters,
		"customHeaders": []map[string]string{{"name": "X-Api-Key", "value": "k-123"}}}
	var h apiHook
	if code := call(t, api, "POST", "/webhooks/v1/applications/"+appID+"/webhooks", body, &h); code != http.StatusCreated {
		t.Fatalf("create webhook: status %d", code)
	}
	return h
}

// waitIdle waits for all deliveries to finish.
func waitIdle(t testing.TB, svc *webhooks.Service) {
	t.Helper()
	// The deadline only turns a hang into a failure; nothing is timed.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := svc.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// updated is a cremployee:updated event for entity id.
func updated(id string) webhooks.Event {
	return webhooks.Event{Entity: "cremployee", Action: "updated", EntityID: id, ChangedFields: []string{"firstname"}}
}
