package carerixemu

import (
	"testing"
)

// StartTest builds a Server from opts, serves it on a loopback port with
// webhook delivery running, and closes it when the test ends. It fails the
// test on any setup error. opts.Profile chooses the form of Carerix served
// (ProfileDocs when empty); opts.RemoveFields takes fields out of it.
func StartTest(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("starting Carerix emulator: %v", err)
	}
	if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatalf("starting Carerix emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing Carerix emulator: %v", err)
		}
	})
	return s
}
