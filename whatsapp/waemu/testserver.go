package waemu

import (
	"net/http/httptest"
	"testing"
)

// TestServer is an Emulator served on a loopback httptest server.
type TestServer struct {
	*Emulator
	// Server is the httptest server; Server.URL is the Graph base URL.
	Server *httptest.Server
}

// URL returns the base URL to use as whatsapp.Config.BaseURL.
func (s *TestServer) URL() string { return s.Server.URL }

// NewTestServer creates an emulator with opts, serves it on loopback, starts
// webhook delivery and registers cleanup with tb. It fails tb on error.
func NewTestServer(tb testing.TB, opts Options) *TestServer {
	tb.Helper()
	emu, err := New(opts)
	if err != nil {
		tb.Fatalf("waemu: %v", err)
	}
	srv := httptest.NewServer(emu.Handler())
	if err := emu.Start(tb.Context()); err != nil {
		srv.Close()
		tb.Fatalf("waemu: %v", err)
	}
	tb.Cleanup(func() {
		_ = emu.Close()
		srv.Close()
	})
	return &TestServer{Emulator: emu, Server: srv}
}
