// Package provisioning installs what a tenant needs inside its Carerix,
// through the admin account the customer gave us: the document templates
// that frame the inbox, the dashboards and the admin's verify page, the
// webhook application with its webhooks, and the probe: an activity
// (CRToDo) "Recrubo integration check" whose updates the verify page uses
// to cause a webhook delivery (crtodo:updated) of its own. It plans first (create, update or
// unchanged per item), applies the plan item by item recording each
// success at once, so a rerun after a partial failure completes the work,
// and removes exactly what it created when a tenant is unprovisioned.
//
// Everything we create is found again by a namespaced key: templates by
// their code (recrubo.*), the webhook application by its recorded id or
// its exact name (never by the tenant's configured application id alone,
// which may name a customer's application), the probe by its recorded id
// only (a customer's activity with the same subject is never adopted).
// Templates, webhook applications, webhooks and activities of the
// customer are never read for change and never touched.
//
// The document templates are CxScript (XML) filled with fasttemplate; each
// value is escaped by the escapers of package templates for the attribute
// it lands in, and a value CxScript would read as an expression ('$') is
// refused (see Templates).
package provisioning
