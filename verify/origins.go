package verify

import (
	"net"
	"net/url"
	"slices"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// checkOrigins checks the origins allowed to frame the tenant's pages
// (the Content-Security-Policy frame-ancestors of every framed page):
//
//   - each must be an origin a browser can match in frame-ancestors:
//     scheme, host of letters, digits, '-' and '.' (no IPv6 literal, no
//     Unicode), optional port, nothing else; one the browser cannot parse
//     is silently ignored, and Carerix then shows an empty frame;
//   - each must use https, except on a loopback host (a local Carerix
//     emulator): an http origin lets anyone who can tamper with plain
//     http traffic frame the pages;
//   - one must be where Carerix shows the tenant's application: for
//     Carerix's own API (a host under carerix.io or carerix.com)
//     https://<application>.carerix.net, the documented address of an
//     application; for any other Carerix (the emulator), that address or
//     the origin of its API, where the emulator shows its records.
//
// The first problem found is reported.
func checkOrigins(t *recrubo.Tenant) Item {
	it := Item{ID: CheckOrigins}
	if len(t.FrameOrigins) == 0 {
		it.Reason = "missing"
		return it
	}
	var origins []string
	for _, o := range t.FrameOrigins {
		n, secure, ok := frameOrigin(o)
		switch {
		case !ok:
			it.Reason, it.Args = "invalid", []string{o}
			return it
		case !secure:
			it.Reason, it.Args = "insecure", []string{o}
			return it
		}
		origins = append(origins, n)
	}
	want := applicationOrigins(t)
	if !slices.ContainsFunc(want, func(o string) bool { return slices.Contains(origins, o) }) {
		it.Reason, it.Args = "application", []string{want[0], strings.Join(t.FrameOrigins, ", ")}
		return it
	}
	it.OK, it.Reason, it.Args = true, "ok", []string{strings.Join(t.FrameOrigins, ", ")}
	return it
}

// frameOrigin normalises origin o (lower case, default port dropped) and
// reports whether it is secure (https, or http on a loopback host) and
// whether it is an origin a Content-Security-Policy can hold at all
// (recrubo.ValidOrigin; tenants saved before it checked that may still
// hold one that is not).
func frameOrigin(o string) (norm string, secure, ok bool) {
	if recrubo.ValidOrigin(o) != nil {
		return "", false, false
	}
	u, err := url.Parse(o)
	if err != nil {
		return "", false, false
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), u.Port()
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	}
	norm = scheme + "://" + host
	if port != "" {
		norm += ":" + port
	}
	return norm, scheme == "https" || isLoopback(host), true
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// applicationOrigins returns where Carerix may show t's application, the
// documented address first (see checkOrigins).
func applicationOrigins(t *recrubo.Tenant) []string {
	app := "https://" + strings.ToLower(strings.TrimSpace(t.Carerix.Application)) + ".carerix.net"
	u, err := url.Parse(t.Carerix.APIBaseURL)
	if err != nil || u.Host == "" {
		return []string{app}
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range []string{"carerix.io", "carerix.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return []string{app}
		}
	}
	api, _, ok := frameOrigin(u.Scheme + "://" + u.Host)
	if !ok {
		return []string{app}
	}
	return []string{app, api}
}
