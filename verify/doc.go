// Package verify proves to a tenant's admin, end to end, that the
// integration works: signed, expiring, revocable verify links, and the
// checklist behind them (credentials and scopes, webhooks with a real
// delivery, templates, initial sync, embed origins, a sample candidate).
// A tenant is marked verified only when every check passes.
package verify
