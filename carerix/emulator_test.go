package carerix_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// sharedKey is one RSA key for the emulator's token signing and webhook
// applications, generated once per test binary to keep tests fast.
var sharedKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// clock is a settable clock for the emulator: real time plus an offset.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time                { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration)       { c.offset.Add(int64(d)) }
func (c *clock) install(o *carerixemu.Options) { o.Now = c.now }

// startEmulator starts a Carerix emulator on loopback for the test, with
// the shared key for tokens and webhook applications.
func startEmulator(t testing.TB, modify func(*carerixemu.Options)) *carerixemu.Server {
	t.Helper()
	key, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := webhooks.NewKeyPool(key)
	if err != nil {
		t.Fatal(err)
	}
	opts := carerixemu.Options{
		Tenant:     "acme",
		SigningKey: key,
		Webhooks:   webhooks.Options{Keys: pool},
	}
	if modify != nil {
		modify(&opts)
	}
	srv := carerixemu.StartTest(t, opts)
	return srv
}

// emulatorConfig returns a client Config for srv with fast retries and no
// effective client-side throttling.
func emulatorConfig(srv *carerixemu.Server) carerix.Config {
	return carerix.Config{
		APIBaseURL:        srv.URL(),
		IdentityBaseURL:   srv.URL(),
		Realm:             srv.Realm(),
		ClientID:          carerixemu.DefaultClientID,
		ClientSecret:      carerixemu.DefaultClientSecret,
		RequestsPerSecond: 10000,
		Burst:             10000,
		Retry: carerix.RetryPolicy{
			MaxAttempts: 4,
			BaseBackoff: time.Millisecond,
			MaxBackoff:  1500 * time.Millisecond,
		},
		Timeout: 10 * time.Second,
	}
}

// newClient returns a client for srv holding the tenant's contract, as
// the product's clients hold the stored one; modify adjusts the config
// (a nil Contract there makes the client read it on first use). The
// contract is read by another client, and the emulator's counters are
// reset after, so tests count only their own requests.
func newClient(t testing.TB, srv *carerixemu.Server, modify func(*carerix.Config)) *carerix.Client {
	t.Helper()
	cfg := emulatorConfig(srv)
	cfg.Contract = readContract(t, srv)
	if modify != nil {
		modify(&cfg)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	c, err := carerix.New(cfg)
	if err != nil {
		t.Fatalf("carerix.New: %v", err)
	}
	// Runs before the emulator's cleanup: connections dialled but never
	// used would otherwise hold up the emulator's graceful shutdown.
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// readContract returns the contract of an emulator of srv's profile,
// read once per test binary from an emulator of its own, so the tests'
// emulators count only the tests' requests.
func readContract(t testing.TB, srv *carerixemu.Server) *carerix.Contract {
	t.Helper()
	k, err := docsContract()
	if err != nil {
		t.Fatalf("reading the contract: %v", err)
	}
	return k
}

// docsContract reads the contract of a default emulator.
var docsContract = sync.OnceValues(func() (*carerix.Contract, error) {
	ctx := context.Background()
	srv, err := carerixemu.New(carerixemu.Options{Tenant: "contract"})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer srv.Close()
	c, err := carerix.New(emulatorConfig(srv))
	if err != nil {
		return nil, err
	}
	defer c.CloseIdleConnections()
	return c.Contract(ctx)
})

// seedEmployees creates n candidates with the given status (export code,
// value or _id) and returns their ids in creation order.
func seedEmployees(t testing.TB, srv *carerixemu.Server, n int, status string) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		f := carerixemu.EmployeeFields{
			FirstName:    carerixemu.Str(fmt.Sprintf("Cand%d", i)),
			LastName:     carerixemu.Str(fmt.Sprintf("Seed-%s-%d", status, i)),
			MobileNumber: carerixemu.Str(fmt.Sprintf("+316%08d", i)),
		}
		if status != "" {
			f.Status = carerixemu.Str(status)
		}
		e, err := srv.CreateEmployee(context.Background(), f)
		if err != nil {
			t.Fatalf("seeding employee %d: %v", i, err)
		}
		ids[i] = e.ID
	}
	return ids
}

// logRecorder is a slog.Handler that keeps every record for assertions.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

// attrs returns the attributes of every record with message msg.
func (h *logRecorder) attrs(msg string) []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range h.records {
		if r.Message != msg {
			continue
		}
		m := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value
			return true
		})
		out = append(out, m)
	}
	return out
}
