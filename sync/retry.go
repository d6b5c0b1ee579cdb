package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Permanent reports whether a sync failure is one that retrying cannot
// cure, so the run should fail at once: Carerix refused the credentials or
// a scope, or refused the request itself (a bad request, an invalid
// qualifier, a response breaking the contract: any Carerix error kind that
// is not transient), or the tenant's settings are invalid (EINVALID, such
// as a filter naming an unknown status). Everything else is transient and
// worth retrying: rate limits, Carerix server and gateway errors, network
// failures, the database being unavailable.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if k := carerix.ErrorKind(err); k != "" {
		return !transientKind(k)
	}
	return recrubo.ErrorCode(err) == recrubo.EINVALID
}

// transientKind reports whether Carerix errors of kind k may pass: 429s,
// and 5xx answers or failed connections (the client has already retried
// each a few times).
func transientKind(k carerix.Kind) bool {
	return k == carerix.ErrRateLimited || k == carerix.ErrServer
}

// Retry says how RunInitialRetrying rides out transient failures.
type Retry struct {
	// For is how long to keep retrying while no page gets applied; the
	// time restarts with every applied page. 0 retries nothing.
	For time.Duration
	// Wait is the first wait before retrying (default 1 s); it doubles
	// after every failure in a row, up to MaxWait (default 30 s).
	Wait, MaxWait time.Duration
	// OnRetry, when set, is told about every failure retried and the wait
	// before the retry.
	OnRetry func(err error, wait time.Duration)
}

// RunInitialRetrying runs an initial sync run in the calling goroutine like
// RunInitial, retrying transient failures (see Permanent) with backoff,
// each time continuing after the last applied page, until r.For passes
// without a page applied. A permanent failure, or one that outlasts r.For,
// fails the run with its message (so the service may start it again, and
// the verify page says so); cancelling ctx leaves it to continue later.
func (s *Service) RunInitialRetrying(ctx context.Context, run *recrubo.SyncRun, onPage func(recrubo.SyncCheckpoint), r Retry) error {
	first, maxWait := r.Wait, r.MaxWait
	if first <= 0 {
		first = time.Second
	}
	if maxWait < first {
		maxWait = max(first, 30*time.Second)
	}
	progressAt, wait := s.now(), first
	page := func(cp recrubo.SyncCheckpoint) {
		progressAt, wait = s.now(), first
		if onPage != nil {
			onPage(cp)
		}
	}
	for {
		err := s.RunInitial(ctx, run, page)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return err
		case run.State == recrubo.RunFailed:
			return err // RunInitial failed it (credentials, scopes, settings)
		case Permanent(err):
			return s.failRun(ctx, run, failureMessage(err), err)
		case s.now().Sub(progressAt)+wait > r.For:
			msg := fmt.Sprintf("Carerix kept failing for %s without a page applied: %s", s.now().Sub(progressAt).Round(time.Second), failureMessage(err))
			return s.failRun(ctx, run, msg, err)
		}
		if r.OnRetry != nil {
			r.OnRetry(err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxWait)
	}
}

// failureMessage is a user-safe message for a failed run: what Carerix
// said, or the error's own safe message.
func failureMessage(err error) string {
	if k := carerix.ErrorKind(err); k != "" {
		var ce *carerix.Error
		if errors.As(err, &ce) && ce.Message != "" {
			return fmt.Sprintf("Carerix answered %s: %s", k, ce.Message)
		}
		return fmt.Sprintf("Carerix answered %s.", k)
	}
	return recrubo.ErrorMessage(err)
}
