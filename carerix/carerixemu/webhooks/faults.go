package webhooks

import (
	"math/rand/v2"
	"time"
)

// Faults configures delivery fault injection. Decisions are made when a job
// is created, in Publish order, from one seeded generator, so a given seed
// and event sequence always yields the same faults.
type Faults struct {
	// DuplicateRate is the probability (0..1) that a job gets an identical
	// second copy: same payload, same event id, same signature.
	DuplicateRate float64
	// DropRate is the probability (0..1) that a job is never sent; it is
	// recorded with state JobDropped.
	DropRate float64
	// ReorderWindow, when above 1, holds jobs until that many are waiting,
	// then releases them in shuffled order. Use FlushHeld to release a
	// partial window. With Options.Workers == 1 the release order is the
	// send order.
	ReorderWindow int
	// Rand drives the random decisions; nil means a generator seeded with 1.
	// The Service owns it after SetFaults.
	Rand *rand.Rand
}

// SetFaults replaces the fault configuration. Jobs already held for
// reordering are released if the new window is smaller than their number.
func (s *Service) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Rand == nil {
		f.Rand = rand.New(rand.NewPCG(1, 1))
	}
	s.faults = f
	s.rng = f.Rand
	if len(s.held) > 0 && len(s.held) >= f.ReorderWindow {
		s.releaseHeldLocked()
	}
}

// DropNext makes the next n jobs be dropped regardless of DropRate.
func (s *Service) DropNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext += max(n, 0)
}

// DuplicateNext makes the next n jobs that are not dropped be duplicated
// regardless of DuplicateRate.
func (s *Service) DuplicateNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dupNext += max(n, 0)
}

// FlushHeld releases, shuffled, the jobs held for reordering.
func (s *Service) FlushHeld() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseHeldLocked()
}

// takeDropLocked decides whether the next job is dropped; s.mu must be held.
func (s *Service) takeDropLocked() bool {
	if s.dropNext > 0 {
		s.dropNext--
		return true
	}
	return s.faults.DropRate > 0 && s.rng.Float64() < s.faults.DropRate
}

// takeDuplicateLocked decides whether the next job is duplicated; s.mu
// must be held.
func (s *Service) takeDuplicateLocked() bool {
	if s.dupNext > 0 {
		s.dupNext--
		return true
	}
	return s.faults.DuplicateRate > 0 && s.rng.Float64() < s.faults.DuplicateRate
}

// admitLocked holds j for reordering or schedules it now; s.mu must be held.
func (s *Service) admitLocked(j *job) {
	if s.faults.ReorderWindow > 1 {
		s.held = append(s.held, j)
		if len(s.held) >= s.faults.ReorderWindow {
			s.releaseHeldLocked()
		}
		return
	}
	s.scheduleLocked(j, time.Now())
}

// releaseHeldLocked shuffles the held jobs and schedules them in that
// order; s.mu must be held.
func (s *Service) releaseHeldLocked() {
	held := s.held
	s.held = nil
	s.rng.Shuffle(len(held), func(i, k int) { held[i], held[k] = held[k], held[i] })
	now := time.Now()
	for _, j := range held {
		s.scheduleLocked(j, now)
	}
}
