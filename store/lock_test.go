package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestLock: a held lock keeps every other holder out, on PostgreSQL also
// another instance on the same database, until it is released; a waiter
// gives up when its context ends and gets the lock once it is free.
func TestLock(t *testing.T) {
	runBehaviours(t, []behaviour{{name: "ExcludesOtherHolders", run: func(t *testing.T, e *storetest.Env) {
		db := e.Open(t)
		other := db
		if e.Backend == storetest.Postgres {
			other = e.Open(t) // a second instance
		}
		key := "drain:" + t.Name()
		unlock, err := db.Lock(t.Context(), key)
		must(t, err)

		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		if u, err := other.Lock(ctx, key); err == nil {
			u()
			t.Fatal("a second holder took a held lock")
		}
		if u, err := other.Lock(t.Context(), key+":another"); err != nil {
			t.Fatalf("another key is free: %v", err)
		} else {
			u()
		}

		got := make(chan func(), 1)
		go func(s *store.DB) {
			u, err := s.Lock(t.Context(), key)
			if err != nil {
				t.Error(err)
				close(got)
				return
			}
			got <- u
		}(other)
		select {
		case <-got:
			t.Fatal("the waiter got the lock before it was released")
		case <-time.After(100 * time.Millisecond):
		}
		unlock()
		select {
		case u, ok := <-got:
			if ok {
				u()
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the waiter never got the released lock")
		}
	}}})
}
