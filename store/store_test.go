package store_test

import "testing"

// TestStore runs the store's behaviour table on every backend: SQLite
// always, PostgreSQL when TEST_DATABASE_URL is set.
func TestStore(t *testing.T) {
	var all []behaviour
	all = append(all, tenantBehaviours()...)
	all = append(all, mirrorBehaviours()...)
	all = append(all, listingBehaviours()...)
	all = append(all, syncBehaviours()...)
	all = append(all, txBehaviours()...)
	all = append(all, changeBehaviours()...)
	all = append(all, migrationBehaviours()...)
	all = append(all, cacheBehaviours()...)
	runBehaviours(t, all)
}
