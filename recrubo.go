// Package recrubo is the domain of Recrubo for Carerix: the types and
// interfaces every other package speaks in.
//
// The service puts a recruiting chat inbox and a dashboard inside Carerix,
// the recruitment CRM of Dutch staffing agencies. It serves many Carerix
// customers ("tenants"), mirrors the candidates, vacancies, matches and
// recruiters each tenant chose to sync, and renders pages that Carerix embeds
// through document templates.
//
// This package imports nothing else of the module. Implementations live in
// sub-packages named for their concern: store (SQLite and PostgreSQL),
// carerix (the Carerix API client), sync, provisioning, server (HTTP),
// templates (rendering) and jobs (durable background work). Package cli
// wires them together for the production command, cmd/recrubo-carerix, and
// the demo's, cmd/recrubo-demo.
package recrubo

// Version is the product version, set at build time with
// -ldflags "-X github.com/recrubo/recrubo-carerix.Version=...".
var Version = "dev"
