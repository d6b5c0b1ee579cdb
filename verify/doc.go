// Package verify proves to a tenant's admin, end to end, that the
// integration works: signed, expiring, revocable verify links, and the
// checklist behind them (credentials and scopes, webhooks with a real
// delivery, templates, initial sync, embed origins, a sample candidate).
// A tenant is marked verified only when every check passes.
//
// The webhooks check does not wait for someone to change a record: it
// updates the notes of the probe activity provisioning created (see
// provisioning.Probe) with a fresh timestamp and nonce, and waits up to
// Checker.DeliveryWait for the signed crtodo:updated delivery of that
// probe received after the update. Installs without a probe, and a zero
// DeliveryWait, pass on any delivery received since the webhooks were
// installed.
package verify
