// Package sync keeps a tenant's mirror of Carerix in step: the initial sync
// filtered by status, webhook events, and reconciliation.
//
// The package is named sync to match its folder; it shadows the standard
// library's sync, so callers import it as crsync, and inside it the standard
// library is imported as gosync where needed.
//
// convert.go is the only place where Carerix's wire types cross into the
// domain.
package sync
