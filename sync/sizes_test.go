//go:build !race

package carerixsync_test

// randomChanges is how many random changes the convergence test makes
// in Carerix under faulty webhooks.
const randomChanges = 1000
