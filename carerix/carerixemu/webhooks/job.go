package webhooks

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"
)

// job is a stored delivery job plus its scheduling state.
type job struct {
	DeliveryJob
	due       time.Time
	seq       uint64
	scheduled bool // counted in Service.outstanding
	index     int  // position in the heap, -1 when not queued
}

// snapshot returns a deep copy safe to hand to callers.
func (j *job) snapshot() DeliveryJob {
	d := j.DeliveryJob
	d.Headers = slices.Clone(d.Headers)
	d.Attempts = slices.Clone(d.Attempts)
	return d
}

// jobHeap orders queued jobs by due time, then by scheduling sequence.
type jobHeap []*job

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, k int) bool {
	if !h[i].due.Equal(h[k].due) {
		return h[i].due.Before(h[k].due)
	}
	return h[i].seq < h[k].seq
}
func (h jobHeap) Swap(i, k int) {
	h[i], h[k] = h[k], h[i]
	h[i].index = i
	h[k].index = k
}
func (h *jobHeap) Push(x any) {
	j := x.(*job)
	j.index = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}

// recordJobLocked stores a new job; s.mu must be held.
func (s *Service) recordJobLocked(j *job) {
	j.index = -1
	s.jobs[j.ID] = j
	s.jobOrder = append(s.jobOrder, j.ID)
}

// scheduleLocked queues j for an attempt at due; s.mu must be held.
func (s *Service) scheduleLocked(j *job, due time.Time) {
	if !j.scheduled {
		j.scheduled = true
		s.outstanding++
	}
	s.seq++
	j.due, j.seq = due, s.seq
	heap.Push(&s.queue, j)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// finishLocked moves j to a terminal state; s.mu must be held.
func (s *Service) finishLocked(j *job, state JobState) {
	j.State = state
	if j.scheduled {
		j.scheduled = false
		s.outstanding--
	}
	s.notifyLocked()
}

// DeliveryJobs returns the delivery jobs of webhook webhookID, oldest
// first, each with its attempts oldest first. Jobs outlive their webhook.
func (s *Service) DeliveryJobs(_ context.Context, webhookID string) []DeliveryJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DeliveryJob{}
	for _, id := range s.jobOrder {
		if j := s.jobs[id]; j.WebhookID == webhookID {
			out = append(out, j.snapshot())
		}
	}
	return out
}

// DeliveryJob returns the delivery job with the given id, or an error
// wrapping ErrNotFound.
func (s *Service) DeliveryJob(_ context.Context, id string) (DeliveryJob, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return DeliveryJob{}, notFoundf("delivery job %q", id)
	}
	return j.snapshot(), nil
}

// WaitIdle blocks until no delivery job is queued or in flight (jobs held
// for reordering do not count), or ctx is done.
func (s *Service) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		idle := s.outstanding == 0
		ch := s.changed
		s.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for deliveries: %w", context.Cause(ctx))
		}
	}
}
