package store_test

import (
	"testing"

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
