package recrubo_test

import (
	"encoding/json"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

func TestSyncSettingsIntervalDefaultAndBounds(t *testing.T) {
	if got := (recrubo.SyncSettings{}).Interval(); got != recrubo.DefaultReconcileInterval {
		t.Errorf("zero interval = %v; want the default", got)
	}
	if got := (recrubo.SyncSettings{ReconcileInterval: 5 * time.Minute}).Interval(); got != 5*time.Minute {
		t.Errorf("interval = %v", got)
	}
	for _, c := range []struct {
		d  time.Duration
		ok bool
	}{{0, true}, {time.Minute, true}, {24 * time.Hour, true}, {30 * time.Second, false}, {25 * time.Hour, false}} {
		err := recrubo.Validate(recrubo.SyncSettings{ReconcileInterval: c.d})
		if (err == nil) != c.ok {
			t.Errorf("Validate(%v) = %v; want ok=%v", c.d, err, c.ok)
		} else if err != nil && recrubo.ErrorCode(err) != recrubo.EINVALID {
			t.Errorf("Validate(%v) = %v; want EINVALID", c.d, err)
		}
	}
}

// TestSyncSettingsJSON: the interval reads as a duration string, as people
// write it in a tenant file, and as nanoseconds, as older stored settings
// hold it; it writes as a string; garbage is refused with its name.
func TestSyncSettingsJSON(t *testing.T) {
	for in, want := range map[string]time.Duration{
		`{"reconcile_interval":"15m"}`:        15 * time.Minute,
		`{"reconcile_interval":"1h30m"}`:      90 * time.Minute,
		`{"reconcile_interval":300000000000}`: 5 * time.Minute,
		`{}`:                                  0,
		`{"reconcile_interval":null}`:         0,
	} {
		var s recrubo.SyncSettings
		if err := json.Unmarshal([]byte(in), &s); err != nil || s.ReconcileInterval != want {
			t.Errorf("%s: %v, %v; want %v", in, s.ReconcileInterval, err, want)
		}
	}
	for _, in := range []string{`{"reconcile_interval":"soon"}`, `{"reconcile_interval":true}`, `{"interval":"5m"}`} {
		var s recrubo.SyncSettings
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("%s accepted as %v", in, s.ReconcileInterval)
		}
	}
	b, err := json.Marshal(recrubo.SyncSettings{ReconcileInterval: 20 * time.Minute})
	if err != nil || string(b) != `{"reconcile_interval":"20m0s"}` {
		t.Errorf("marshal = %s, %v", b, err)
	}
	var back recrubo.SyncSettings
	if err := json.Unmarshal(b, &back); err != nil || back.ReconcileInterval != 20*time.Minute {
		t.Errorf("round trip = %v, %v", back.ReconcileInterval, err)
	}
}
