// Package eventually waits, in tests, for what happens asynchronously: a
// job that runs, a webhook that arrives, a page that updates. A wait ends
// as soon as its condition holds; its bound is generous, since this
// machine is shared and a bound is never a measure of speed.
package eventually

import (
	"testing"
	"time"
)

// Within is how long a wait lasts at most unless told otherwise.
const Within = 20 * time.Second

// interval is how often a condition is looked at again.
const interval = 10 * time.Millisecond

// Succeeds calls cond until it returns nil, and fails tb with what and
// cond's last error when it has not within Within.
func Succeeds(tb testing.TB, what string, cond func() error) {
	tb.Helper()
	SucceedsWithin(tb, Within, what, cond)
}

// SucceedsWithin is Succeeds with its own bound.
func SucceedsWithin(tb testing.TB, within time.Duration, what string, cond func() error) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: still not so after %v: %v", what, within, err)
		}
		time.Sleep(interval)
	}
}

// Holds is Succeeds for a condition that has nothing to tell but whether
// it holds.
func Holds(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	SucceedsWithin(tb, Within, what, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
}

// True reports whether cond holds within d, for callers that decide
// themselves what a wait that ran out means.
func True(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

type notYet struct{}

func (notYet) Error() string { return "the condition does not hold" }

var errNotYet error = notYet{}
