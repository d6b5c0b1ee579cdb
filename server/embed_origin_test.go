package server

import (
	"slices"
	"testing"
)

// TestHasOriginAgreesWithParsing: every value the shortcut accepts is one
// whose parsed origin is allowed; values it leaves alone are decided by
// parsing, as before.
func TestHasOriginAgreesWithParsing(t *testing.T) {
	origins := []string{"https://acme.carerix.net", "http://localhost:8080"}
	for _, tc := range []struct {
		raw  string
		fast bool // decided without parsing
		ok   bool // allowed
	}{
		{"https://acme.carerix.net", true, true},
		{"https://acme.carerix.net/", true, true},
		{"https://acme.carerix.net/cxtest/record?id=1#top", true, true},
		{"http://localhost:8080/x", true, true},
		{"https://ACME.carerix.net/", false, true},
		{"HTTPS://acme.carerix.net/", false, true},
		{"https://acme.carerix.net/%41", false, true},
		{"https://acme.carerix.net/%zz", false, false},
		{"https://acme.carerix.net/a b", false, true},
		{"https://acme.carerix.net/\x7f", false, false},
		{"https://acme.carerix.net.evil.example/", false, false},
		{"https://acme.carerix.net@evil.example/", false, false},
		{"https://acme.carerix.net:443/", false, false},
		{"http://acme.carerix.net/", false, false},
		{"https://evil.example/https://acme.carerix.net/", false, false},
		{"http://localhost:80801/", false, false},
		{"", false, false},
	} {
		fast := hasOrigin(tc.raw, origins)
		o, parsed := originOf(tc.raw)
		ok := fast || parsed && slices.Contains(origins, o)
		if fast != tc.fast || ok != tc.ok {
			t.Errorf("%q: shortcut %v, allowed %v; want %v, %v", tc.raw, fast, ok, tc.fast, tc.ok)
		}
		if fast && !(parsed && slices.Contains(origins, o)) {
			t.Errorf("%q: the shortcut allows what parsing refuses (%q, %v)", tc.raw, o, parsed)
		}
	}
}
