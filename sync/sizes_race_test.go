//go:build race

package carerixsync_test

// randomChanges is smaller under the race detector, which slows the test
// five to ten times: its concurrency (deliveries, drains, the reconcile)
// is the same at any size, and the full size runs without the detector.
const randomChanges = 250
