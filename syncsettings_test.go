package recrubo_test

import (
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
