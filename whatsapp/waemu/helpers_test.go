package waemu_test

import (
	"bytes"
	"encoding/json"
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
	appSecret = "emu-secret"
	phoneID   = "106540352242922"
	token     = "EAAG-emu-token"
	candidate = "31612345678"
)

// hook records webhook POSTs and answers with respond(n), n counting from 1.
type hook struct {
	srv     *httptest.Server
	respond func(n int) int

	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
}

func newHook(t *testing.T, respond func(n int) int) *hook {
	t.Helper()
	h := &hook{respond: respond}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.sigs = append(h.sigs, r.Header.Get("X-Hub-Signature-256"))
		n := len(h.bodies)
		h.mu.Unlock()
		status := http.StatusOK
		if h.respond != nil {
			status = h.respond(n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) received() ([][]byte, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...), append([]string(nil), h.sigs...)
}

// parsed verifies and parses every received body with the whatsapp package.
func (h *hook) parsed(t *testing.T) []whatsapp.Notification {
	t.Helper()
	bodies, sigs := h.received()
	out := make([]whatsapp.Notification, len(bodies))
	for i, b := range bodies {
		if err := whatsapp.VerifySignature(appSecret, b, sigs[i]); err != nil {
			t.Fatalf("webhook %d: %v", i, err)
		}
		n, err := whatsapp.ParseWebhook(b)
		if err != nil {
			t.Fatalf("webhook %d: %v", i, err)
		}
		out[i] = n
	}
	return out
}

func baseOptions(webhookURL string) waemu.Options {
	return waemu.Options{
		AppSecret:    appSecret,
		VerifyToken:  "verify",
		AccessTokens: map[string]string{phoneID: token},
		WebhookURL:   webhookURL,
		StatusDelay:  -1,
		RetryBackoff: time.Millisecond,
	}
}

// graphResponse is a decoded send endpoint response, success or error.
type graphResponse struct {
	status int
	body   map[string]any
}

func (g graphResponse) errorField(name string) any {
	e, _ := g.body["error"].(map[string]any)
	return e[name]
}

func (g graphResponse) code() int {
	c, _ := g.errorField("code").(float64)
	return int(c)
}

// postJSON sends body to the emulator with the given bearer token.
func postJSON(t *testing.T, url, bearer string, body any) graphResponse {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatalf("encoding body: %v", err)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	out := graphResponse{status: resp.StatusCode}
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			t.Fatalf("response %q is not JSON: %v", data, err)
		}
	}
	return out
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decoding %s: %v", url, err)
	}
}

func textBody(to, text string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]any{"body": text}}
}

func waitIdle(t *testing.T, e *waemu.TestServer) {
	t.Helper()
	if err := e.WaitIdle(t.Context()); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}
