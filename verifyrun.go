package recrubo

import "time"

// VerifyRun is the latest run of a tenant's verify checklist. StartedAt is
// when the latest run began (runs are throttled by it); FinishedAt, By and
// Result describe the latest run that finished, whose result (the
// checklist as JSON, written by package verify) the verify page shows.
type VerifyRun struct {
	TenantID   string
	StartedAt  time.Time
	FinishedAt time.Time
	By         string
	Result     []byte
}
