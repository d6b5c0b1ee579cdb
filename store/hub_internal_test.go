package store

import (
	"context"
	"sync"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// TestHubSlowSubscriber checks that a subscriber stuck in its callback
// neither blocks publishers nor other subscribers, and that once it moves
// on it is told to resync for what it missed.
func TestHubSlowSubscriber(t *testing.T) {
	h := newHub()
	defer h.close()
	release := make(chan struct{})
	var releaseOnce sync.Once
	defer releaseOnce.Do(func() { close(release) }) // never leave the slow one stuck
	slow := make(chan recrubo.Change, 4*subscriberBuffer)
	fast := make(chan recrubo.Change, 4*subscriberBuffer)
	h.subscribe(t.Context(), func(c recrubo.Change) {
		<-release
		slow <- c
	})
	h.subscribe(t.Context(), func(c recrubo.Change) { fast <- c })

	// Publish in batches the fast subscriber can buffer, waiting for it to
	// take each batch: it is never held up, while the slow one, stuck on
	// its first change, overflows.
	batch := subscriberBuffer / 2
	for range 4 {
		published := make(chan struct{})
		go func() {
			for i := range batch {
				h.publish([]recrubo.Change{{TenantID: "t", Kind: ChangeCandidate, ID: string(rune('a' + i%26))}})
			}
			close(published)
		}()
		select {
		case <-published:
		case <-time.After(15 * time.Second):
			t.Fatal("publish blocked on a slow subscriber")
		}
		for range batch {
			select {
			case c := <-fast:
				if c.Kind == ChangeResync {
					t.Fatal("the fast subscriber lost changes")
				}
			case <-time.After(15 * time.Second):
				t.Fatal("the fast subscriber was held up")
			}
		}
	}
	releaseOnce.Do(func() { close(release) })
	for resync := false; !resync; {
		select {
		case c := <-slow:
			resync = c.Kind == ChangeResync && c.TenantID == ""
		case <-time.After(15 * time.Second):
			t.Fatal("the slow subscriber was never told to resync")
		}
	}
}

// TestHubStopsWithContext checks that a cancelled subscription gets nothing.
func TestHubStopsWithContext(t *testing.T) {
	h := newHub()
	defer h.close()
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan recrubo.Change, 1)
	h.subscribe(ctx, func(c recrubo.Change) { got <- c })
	cancel()
	// Wait until the subscription is gone, then publish.
	deadline := time.Now().Add(15 * time.Second)
	for {
		h.mu.Lock()
		n := len(h.subs)
		h.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cancelled subscription still registered")
		}
		time.Sleep(time.Millisecond)
	}
	h.publish([]recrubo.Change{{Kind: ChangeTenant}})
	select {
	case c := <-got:
		t.Errorf("cancelled subscriber received %+v", c)
	default:
	}
}
