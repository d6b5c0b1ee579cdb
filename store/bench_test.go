package store_test

import (
	"fmt"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// benchReads measures one read on every backend, uncached and cached, side
// by side: <backend>/store and <backend>/cached.
func benchReads(b *testing.B, seed func(b *testing.B, s recrubo.Store) func(s recrubo.Store) error) {
	for _, backend := range storetest.Backends() {
		e := storetest.NewEnv(b, backend)
		db := e.Open(b)
		cached := newCached(b, db)
		read := seed(b, db)
		for _, target := range []struct {
			name string
			s    recrubo.Store
		}{{"store", db}, {"cached", cached}} {
			b.Run(backend+"/"+target.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := read(target.s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkTenantBySlug(b *testing.B) {
	benchReads(b, func(b *testing.B, s recrubo.Store) func(recrubo.Store) error {
		createTenant(b, s, "acme")
		return func(s recrubo.Store) error {
			_, err := s.TenantBySlug(b.Context(), "acme")
			return err
		}
	})
}

func BenchmarkCandidate(b *testing.B) {
	benchReads(b, func(b *testing.B, s recrubo.Store) func(recrubo.Store) error {
		tn := createTenant(b, s, "acme")
		_, err := s.UpsertCandidate(b.Context(), candidate(tn.ID, "c1", 1))
		must(b, err)
		return func(s recrubo.Store) error {
			_, err := s.Candidate(b.Context(), tn.ID, "c1")
			return err
		}
	})
}

// BenchmarkCandidateWhileMessagesArrive reads 1,000 candidates in turn
// through the cache while WhatsApp messages are stored behind it, one
// every 10 ms (100 a second: a busy tenant's messages and their
// statuses), as the service runs: what a message write does to the
// cache's hits. Reported beside the time per read: the share of reads
// the cache answered.
func BenchmarkCandidateWhileMessagesArrive(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend, func(b *testing.B) {
			ctx := b.Context()
			db := storetest.NewEnv(b, backend).Open(b)
			tn := createTenant(b, db, "acme")
			for i := range 1000 {
				_, err := db.UpsertCandidate(ctx, candidate(tn.ID, fmt.Sprintf("c%d", i), 1))
				must(b, err)
			}
			conv := &recrubo.Conversation{TenantID: tn.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678",
				State: recrubo.ConversationOpen}
			must(b, db.SaveConversation(ctx, conv))
			cached := newCached(b, db)
			stop := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				tick := time.NewTicker(10 * time.Millisecond)
				defer tick.Stop()
				for n := 0; ; n++ {
					select {
					case <-stop:
						done <- nil
						return
					case <-tick.C:
					}
					if _, err := db.AddMessage(ctx, &recrubo.Message{TenantID: tn.ID, ConversationID: conv.ID, Direction: recrubo.Inbound,
						Body: "Hoi", Status: recrubo.StatusReceived, CreatedAt: at(2), ProviderID: fmt.Sprintf("wamid.bench.%d", n)}); err != nil {
						done <- err
						return
					}
				}
			}()
			before := cached.Stats()
			i := 0
			for b.Loop() {
				if _, err := cached.Candidate(ctx, tn.ID, fmt.Sprintf("c%d", i%1000)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			close(stop)
			must(b, <-done)
			s := cached.Stats()
			hits, misses := s.Hits-before.Hits, s.Misses-before.Misses
			b.ReportMetric(100*float64(hits)/float64(hits+misses), "hit-%")
		})
	}
}
