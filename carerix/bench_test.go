package carerix_test

import (
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// BenchmarkWalkEmployees walks candidates at page size 100 against the
// emulator on loopback.
//
//   - Unthrottled walks all 100,000 candidates per iteration and reports
//     records/s (client and emulator share the machine, so this bounds the
//     client's own overhead from above).
//   - Throttled10rps walks 50 pages with the client limited to 10
//     requests/s (burst 1) and reports the achieved request rate and its
//     ratio to the allowed rate (goal >= 0.95).
func BenchmarkWalkEmployees(b *testing.B) {
	const total = 100_000
	srv := startEmulator(b, nil)
	// Generated Dutch data with hostile values in every tenth record;
	// NoRestrict includes the soft-deleted ones, so all total are walked.
	if _, err := srv.Seed(b.Context(), carerixemu.SeedOptions{Candidates: total, Recruiters: 5, Seed: 1}); err != nil {
		b.Fatal(err)
	}

	b.Run("Unthrottled", func(b *testing.B) {
		c := newClient(b, srv, nil)
		if _, err := c.UserPage(b.Context(), carerix.PageRequest{}); err != nil {
			b.Fatal(err) // warms the token cache
		}
		b.ReportAllocs()
		records := 0
		for b.Loop() {
			n := 0
			for _, err := range c.Employees(b.Context(), carerix.PageRequest{Size: 100, NoRestrict: true}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != total {
				b.Fatalf("walked %d records, want %d", n, total)
			}
			records += n
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})

	b.Run("Throttled10rps", func(b *testing.B) {
		const pages, allowed = 50, 10.0
		c := newClient(b, srv, func(cfg *carerix.Config) {
			cfg.RequestsPerSecond = allowed
			cfg.Burst = 1
		})
		if _, err := c.UserPage(b.Context(), carerix.PageRequest{}); err != nil {
			b.Fatal(err)
		}
		var requests int64
		var elapsed time.Duration
		for b.Loop() {
			before := c.Stats().Requests
			start := time.Now()
			pager := c.EmployeePager(carerix.PageRequest{Size: 100, NoRestrict: true})
			for range pages {
				if _, err := pager.Next(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
			requests += c.Stats().Requests - before
		}
		// The warm-up call (or the previous walk) has just spent the
		// limiter's single token, so every request of a walk waits its turn.
		rate := float64(requests) / elapsed.Seconds()
		b.ReportMetric(rate, "req/s")
		b.ReportMetric(rate/allowed, "achieved/allowed")
	})
}
