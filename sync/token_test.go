package carerixsync_test

import (
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

func TestInitialSyncRefreshesShortLivedTokensAsItGoes(t *testing.T) {
	// Carerix was seen issuing 300 s tokens; here they live 2 s and every
	// answer takes 150 ms, so the initial sync of a few thousand records
	// outlives several tokens. The client must fetch a new token before
	// each expires (never sending an expired one, which the emulator
	// would refuse) and reuse each for most of its life.
	const lifetime = 2 * time.Second
	e := synctest.New(t, storetest.SQLite, synctest.Options{
		Profile: carerixemu.ProfileObserved,
		Seed:    carerixemu.SeedOptions{Candidates: 4000, Vacancies: 40, Matches: 3000, Recruiters: 6, Seed: 11},
		Emulator: func(o *carerixemu.Options) {
			o.TokenLifetime = lifetime
		},
		Sync: func(c *carerixsync.Config) { c.PageSize = 100 },
	})
	e.Emu.SetFaults(carerixemu.Faults{Latency: 150 * time.Millisecond})
	e.Emu.ResetStats()
	start := time.Now()
	initialSync(t, e)
	took := time.Since(start)
	e.Emu.SetFaults(carerixemu.Faults{})
	e.Check(t, e.DB)

	st := e.Emu.Stats()
	in := synctest.InScope(t, e.Emu, e.Tenant.Filters)
	records := len(in.Candidates) + len(in.Vacancies) + len(in.Matches) + len(in.Recruiters)
	t.Logf("initial sync of %d records took %v: %d GraphQL requests, %d tokens", records, took, st.GraphQLRequests, st.TokenRequests)
	if records < 2000 {
		t.Fatalf("only %d records in scope; the test wants a few thousand", records)
	}
	if took < 3*lifetime {
		t.Fatalf("the sync took %v, shorter than three token lifetimes: the test would prove nothing", took)
	}
	if st.Unauthenticated != 0 {
		t.Errorf("%d requests carried an expired token; tokens must be refreshed before they expire", st.Unauthenticated)
	}
	// The sync needs at least took/lifetime tokens; reusing each for a
	// good part of its life (carerix's token cache refreshes within the
	// last quarter, less a second for rounding) needs few more, and far
	// fewer than one per request.
	if min := int(took / lifetime); st.TokenRequests < min {
		t.Errorf("%d tokens for a %v sync of %v tokens: some were used past their life", st.TokenRequests, took, lifetime)
	}
	if max := int(took/(lifetime/4)) + 2; st.TokenRequests > max {
		t.Errorf("%d tokens for a %v sync of %v tokens, want at most %d: tokens are not reused", st.TokenRequests, took, lifetime, max)
	}
	// Far fewer tokens than requests, where requests come fast enough for
	// a token to serve several: in a slow run (the race detector makes
	// each page cost half a second) a token's life holds only a few, and
	// the bound above is the measure.
	if pace := took / time.Duration(st.GraphQLRequests); lifetime >= 6*pace && st.TokenRequests*3 > st.GraphQLRequests {
		t.Errorf("%d tokens for %d requests of %v each: tokens are not reused", st.TokenRequests, st.GraphQLRequests, pace.Round(time.Millisecond))
	}
}
