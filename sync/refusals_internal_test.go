package carerixsync

import (
	"testing"
	"time"
)

// TestRefusalsExpire: a refusal is remembered for refusalMemory after it
// was last noted, per tenant, and then forgotten, so Carerix is asked
// again; noting after that starts afresh.
func TestRefusalsExpire(t *testing.T) {
	r := newRefusals()
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	r.note("a", t0, func(f *refusal) { f.aliases = 5 })
	r.note("a", t0.Add(10*time.Minute), func(f *refusal) { f.noDates = true })
	if got := r.get("a", t0.Add(10*time.Minute+refusalMemory)); got.aliases != 5 || !got.noDates {
		t.Errorf("an hour after the last note: %+v, want both refusals", got)
	}
	if got := r.get("b", t0); got != (refusal{}) {
		t.Errorf("another tenant: %+v, want nothing refused", got)
	}
	if got := r.get("a", t0.Add(11*time.Minute+refusalMemory)); got != (refusal{}) {
		t.Errorf("past the memory: %+v, want nothing refused", got)
	}
	r.note("a", t0.Add(3*refusalMemory), func(f *refusal) { f.aliases = 2 })
	if got := r.get("a", t0.Add(3*refusalMemory)); got.aliases != 2 || got.noDates {
		t.Errorf("noted afresh: %+v, want only the new refusal", got)
	}
}
