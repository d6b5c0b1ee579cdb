package carerixsync

import (
	"context"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Loop returns the background loop that, every tick until ctx ends,
// enqueues the reconcile jobs that are due (per tenant interval), a
// rescope job for every tenant whose status filters changed, and drains
// for webhook events left waiting. Jobs are
// unique by arguments, so instances running the loop side by side do not
// double the work.
func (s *Service) Loop(tick time.Duration) func(ctx context.Context) {
	if tick <= 0 {
		tick = 30 * time.Second
	}
	return func(ctx context.Context) {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			if err := s.EnqueueDue(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "scheduling sync jobs", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}

// EnqueueDue enqueues the reconcile and rescope jobs due now, and a drain
// for every tenant whose webhook events wait longer than they should.
func (s *Service) EnqueueDue(ctx context.Context) error {
	if err := s.Sweep(ctx); err != nil {
		return err
	}
	tenants, err := s.reads.Tenants(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for _, t := range tenants {
		st, err := s.store.SyncStatus(ctx, t.ID)
		if err != nil {
			return err
		}
		if st.ScopeKey == "" {
			continue // the initial sync has not finished
		}
		var args recrubo.JobArgs
		switch {
		case st.ScopeKey != ScopeKey(t.Filters):
			args = RescopeArgs{TenantID: t.ID}
		case now.Sub(st.LastReconcileAt) >= t.Sync.Interval():
			args = ReconcileArgs{TenantID: t.ID, Scan: now.Sub(st.LastScanAt) >= s.scanInterval}
		default:
			continue
		}
		if err := s.store.Enqueue(ctx, args, &recrubo.JobOptions{UniqueByArgs: true}); err != nil {
			return err
		}
	}
	return nil
}
