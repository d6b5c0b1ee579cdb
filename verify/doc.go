// Package verify proves to a tenant's admin, end to end, that the
// integration works: signed, expiring, revocable verify links, and the
// checklist behind them (credentials and scopes, webhooks with a real
// delivery, templates, initial sync, embed origins, a sample candidate and,
// when configured, WhatsApp: the number connected, its token accepted, its
// templates synced, a signed delivery received and no problem reported by
// WhatsApp in the last day).
// A tenant is marked verified only when every check passes.
//
// The embed origins check passes when every frame origin is one a
// Content-Security-Policy frame-ancestors can hold and uses https (http
// only on a loopback host), and one of them is where Carerix shows the
// tenant's application: https://<application>.carerix.net for Carerix's
// own API, or for another Carerix (the emulator) that or the origin of
// its API. Otherwise Carerix shows an empty frame.
//
// The webhooks check does not wait for someone to change a record: it
// updates the notes of the probe activity provisioning created (see
// provisioning.Probe) with a fresh timestamp and nonce, and waits up to
// Checker.DeliveryWait for the signed crtodo:updated delivery of that
// probe received after the update. Installs without a probe, a zero
// DeliveryWait, and a probe that cannot be updated pass only on a delivery
// received within Checker.RecentDelivery (an hour by default); a probe the
// admin account may not update also fails the credentials check, naming
// the missing scope.
//
// Opening the verify page runs nothing (Runs.Last reads the last result),
// so a link scanner in mail or chat changes nothing in Carerix; the page's
// button runs the checks (Runs.Run), at most once per Runs.MinGap per
// tenant, and the result is kept for the next visit.
//
// Links are handed out again rather than reissued where possible
// (Links.Current): issuing a link revokes the one the admin holds.
// Unprovisioning revokes the current link (Links.Revoke).
package verify
