// Package embed authenticates the pages Carerix frames: it checks the
// proof a document template wrote into an embed URL (record and user
// stableHash) against the synced mirror and, when the mirror disagrees or
// lacks the record, against Carerix itself; and it issues and checks the
// short-lived session token the page sends as a bearer header with every
// data fetch and action. See README.md for the scheme and its limits.
package embed
