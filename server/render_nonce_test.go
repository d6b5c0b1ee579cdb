package server

import (
	"encoding/base64"
	"testing"
)

// TestNoncesAreFreshAcrossBatches: nonces are 16 bytes, base64, and no
// two are alike, across several batches of the random source.
func TestNoncesAreFreshAcrossBatches(t *testing.T) {
	ids := newIDSource()
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		nb, err := ids.nonce(nil)
		if err != nil {
			t.Fatal(err)
		}
		n := string(nb)
		b, err := base64.RawStdEncoding.DecodeString(n)
		if err != nil || len(b) != 16 {
			t.Fatalf("nonce %q: %d bytes, %v; want 16", n, len(b), err)
		}
		if seen[n] {
			t.Fatalf("nonce %q handed out twice", n)
		}
		seen[n] = true
	}
}
