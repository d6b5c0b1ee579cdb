// Package carerixsync keeps a tenant's mirror of Carerix in step: the
// initial sync filtered by status, webhook events, and reconciliation.
//
// It lives in the folder sync; its own name keeps it from shadowing the
// standard library's sync, so neither needs an alias.
//
// convert.go is the only place where Carerix's wire types cross into the
// domain.
package carerixsync
