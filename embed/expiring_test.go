package embed

import (
	"testing"
	"time"
)

func TestExpiring(t *testing.T) {
	e := newExpiring(time.Hour, time.Hour)
	e.Set("a", "hash", 0)
	e.Set("b", true, 2*time.Hour)
	if v, ok := e.Get("a"); !ok || v != "hash" {
		t.Errorf(`Get("a") = %v, %v; want "hash", true`, v, ok)
	}
	if v, ok := e.Get("b"); !ok || v != true {
		t.Errorf(`Get("b") = %v, %v; want true, true`, v, ok)
	}
	if _, ok := e.Get("c"); ok {
		t.Error(`Get("c") found a value never set`)
	}
	// An entry past its time is not returned, and is dropped.
	e.m.Store("old", &expiringEntry{v: "x", expires: time.Now().Add(-time.Second).UnixNano()})
	if _, ok := e.Get("old"); ok {
		t.Error("an expired entry was returned")
	}
	if _, ok := e.m.Load("old"); ok {
		t.Error("an expired entry read stays in the map")
	}
	// A write after the sweep interval drops every expired entry.
	e.m.Store("old1", &expiringEntry{v: "x", expires: time.Now().Add(-time.Second).UnixNano()})
	e.m.Store("old2", &expiringEntry{v: "y", expires: time.Now().Add(-time.Second).UnixNano()})
	e.Set("d", 1, 0) // within the interval: no sweep
	if _, ok := e.m.Load("old1"); !ok {
		t.Error("swept before the interval was over")
	}
	e.swept.Store(time.Now().Add(-2 * time.Hour).UnixNano())
	e.Set("d", 2, 0)
	for _, k := range []string{"old1", "old2"} {
		if _, ok := e.m.Load(k); ok {
			t.Errorf("%s survived the sweep", k)
		}
	}
	for _, k := range []string{"a", "b", "d"} {
		if _, ok := e.Get(k); !ok {
			t.Errorf("%s, not expired, was swept", k)
		}
	}
}
