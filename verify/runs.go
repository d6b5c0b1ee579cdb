package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// DefaultMinGap is how long after a run of a tenant's checks began
// another may begin, by default.
const DefaultMinGap = 30 * time.Second

// RunStore keeps each tenant's latest checklist run (*store.DB).
type RunStore interface {
	ClaimVerifyRun(ctx context.Context, tenantID string, now time.Time, gap time.Duration) (bool, error)
	FinishVerifyRun(ctx context.Context, r *recrubo.VerifyRun) error
	LastVerifyRun(ctx context.Context, tenantID string) (*recrubo.VerifyRun, error)
}

// Runs keeps the checklist's last result per tenant and runs the checks
// on request, at most once per MinGap per tenant across instances. Looking
// at the last result changes nothing anywhere: only Run asks Carerix
// (and updates the check activity there).
type Runs struct {
	Checker *Checker
	Store   RunStore
	// MinGap is how long after a run began the next may begin;
	// DefaultMinGap when zero.
	MinGap time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

// Record is a finished run of the checklist.
type Record struct {
	Result *Result
	// By is who ran it; At when it finished.
	By string
	At time.Time
}

func (r *Runs) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runs) gap() time.Duration {
	if r.MinGap > 0 {
		return r.MinGap
	}
	return DefaultMinGap
}

// Last returns the tenant's last finished run, nil when the checks never
// finished a run. It reads only.
func (r *Runs) Last(ctx context.Context, t *recrubo.Tenant) (*Record, error) {
	vr, err := r.Store.LastVerifyRun(ctx, t.ID)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if vr.FinishedAt.IsZero() {
		return nil, nil
	}
	var res Result
	if err := json.Unmarshal(vr.Result, &res); err != nil {
		return nil, fmt.Errorf("reading the last verify result of %s: %w", t.Slug, err)
	}
	return &Record{Result: &res, By: vr.By, At: vr.FinishedAt}, nil
}

// Run runs the checks for t as by and keeps the result, unless a run began
// less than MinGap ago: then it runs nothing and returns how long until
// one may run (the last record is then read with Last).
func (r *Runs) Run(ctx context.Context, t *recrubo.Tenant, by string) (rec *Record, retryIn time.Duration, err error) {
	now := r.now()
	ok, err := r.Store.ClaimVerifyRun(ctx, t.ID, now, r.gap())
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		last, err := r.Store.LastVerifyRun(ctx, t.ID)
		if err != nil {
			return nil, 0, err
		}
		return nil, max(time.Second, last.StartedAt.Add(r.gap()).Sub(now)), nil
	}
	res, err := r.Checker.Run(ctx, t, by)
	if err != nil {
		return nil, 0, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, 0, fmt.Errorf("keeping the verify result of %s: %w", t.Slug, err)
	}
	rec = &Record{Result: res, By: by, At: r.now()}
	if err := r.Store.FinishVerifyRun(context.WithoutCancel(ctx), &recrubo.VerifyRun{TenantID: t.ID, FinishedAt: rec.At, By: by, Result: body}); err != nil {
		return nil, 0, err
	}
	return rec, 0, nil
}
