package whatsapp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/whatsapp"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

const (
	testAppSecret   = "test-app-secret"
	testVerifyToken = "test-verify-token"
	testPhoneID     = "106540352242922"
	testToken       = "EAAG-test-token"
)

// receiver is a webhook endpoint built the way the service's handler is:
// handshake on GET, signature check then parse on POST.
type receiver struct {
	srv *httptest.Server

	mu            sync.Mutex
	notifications []whatsapp.Notification
	badSignature  int
	badPayload    int
	handshakes    int
	rejectedHands int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		challenge, err := whatsapp.VerifyHandshake(r.URL.Query(), testVerifyToken)
		rc.mu.Lock()
		if err != nil {
			rc.rejectedHands++
		} else {
			rc.handshakes++
		}
		rc.mu.Unlock()
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, challenge)
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, whatsapp.MaxWebhookBodyBytes+1))
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		if err := whatsapp.VerifySignature(testAppSecret, body, r.Header.Get(whatsapp.SignatureHeader)); err != nil {
			rc.mu.Lock()
			rc.badSignature++
			rc.mu.Unlock()
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		n, err := whatsapp.ParseWebhook(body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err != nil {
			rc.badPayload++
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		rc.notifications = append(rc.notifications, n)
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	}
}

// statuses returns the status updates received for messageID, in arrival order.
func (rc *receiver) statuses(messageID string) []whatsapp.StatusUpdate {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []whatsapp.StatusUpdate
	for _, n := range rc.notifications {
		for _, s := range n.Statuses {
			if s.MessageID == messageID {
				out = append(out, s)
			}
		}
	}
	return out
}

func (rc *receiver) messages() []whatsapp.InboundMessage {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []whatsapp.InboundMessage
	for _, n := range rc.notifications {
		out = append(out, n.Messages...)
	}
	return out
}

func (rc *receiver) counts() (notifications, badSignature, badPayload int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.notifications), rc.badSignature, rc.badPayload
}

func statusNames(sts []whatsapp.StatusUpdate) []whatsapp.Status {
	out := make([]whatsapp.Status, len(sts))
	for i, s := range sts {
		out[i] = s.Status
	}
	return out
}

// fakeClock is a settable clock for the emulator's customer service window.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// setup starts a receiver, an emulator delivering to it and a client.
func setup(t *testing.T, mutate func(*waemu.Options)) (*receiver, *waemu.TestServer, *whatsapp.Client) {
	t.Helper()
	rc := newReceiver(t)
	opts := waemu.Options{
		AppSecret:    testAppSecret,
		VerifyToken:  testVerifyToken,
		AccessTokens: map[string]string{testPhoneID: testToken},
		WebhookURL:   rc.srv.URL,
		StatusDelay:  -1,
		RetryBackoff: time.Millisecond,
	}
	if mutate != nil {
		mutate(&opts)
	}
	emu := waemu.NewTestServer(t, opts)
	return rc, emu, newClient(t, emu.URL(), testToken)
}

func waitIdle(t *testing.T, emu *waemu.TestServer) {
	t.Helper()
	if err := emu.WaitIdle(t.Context()); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}
