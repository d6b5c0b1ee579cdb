package store

import (
	"errors"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// queries implements recrubo.DataStore once, over any querier: the DB's
// readers (reads only) or a transaction (reads and writes).
type queries struct {
	q      querier
	cipher recrubo.Cipher
	now    func() time.Time
	// changes collects what a transaction's writes touched; nil outside a
	// transaction, where writing is a bug of this package.
	changes *changeSet
}

// touch records that a write changed something.
func (q *queries) touch(tenantID, kind, id string) {
	if q.changes == nil {
		panic("store: write outside a transaction (a DB method is missing its write wrapper)")
	}
	q.changes.add(recrubo.Change{TenantID: tenantID, Kind: kind, ID: id})
}

// nowMicro is the current time as stored.
func (q *queries) nowMicro() int64 { return q.now().UnixMicro() }

// Listing limits.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
	// idPageSize is how many ids the *IDs methods read per query; callbacks
	// run between pages, so no connection is held while they run.
	idPageSize = 1000
)

func listLimit(n int) int {
	switch {
	case n <= 0:
		return defaultListLimit
	case n > maxListLimit:
		return maxListLimit
	default:
		return n
	}
}

// fkNotFound turns a foreign-key violation (the tenant row is missing) into
// ENOTFOUND.
func fkNotFound(err error, tenantID string) error {
	if errors.Is(err, errForeignKeyViolation) {
		return recrubo.WrapError(recrubo.ENOTFOUND, err, "Tenant %q does not exist.", tenantID)
	}
	return err
}
