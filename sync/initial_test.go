package carerixsync_test

import (
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// newRun records a sync run for checkpoints to belong to.
func (f *fixture) newRun(t *testing.T) *recrubo.SyncRun {
	t.Helper()
	run := &recrubo.SyncRun{TenantID: f.tenant.ID, Kind: recrubo.SyncInitial, State: recrubo.RunQueued}
	if err := f.db.CreateSyncRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestInitialSyncStoresExactlyTheInScopeRecords(t *testing.T) {
	for _, tc := range backendsAndProfiles() {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureWith(t, tc.backend, fixtureOptions{emu: carerixemu.Options{Profile: tc.profile}})
			run := f.newRun(t)
			if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
				t.Fatal(err)
			}
			w := f.want(t)
			if len(w.Candidates) == 0 || len(w.Candidates) == 150 || len(w.Vacancies) == 0 || len(w.Vacancies) == 12 ||
				len(w.Matches) == 0 || len(w.Recruiters) == 0 {
				t.Fatalf("seed gives %v in scope; the filters would prove nothing", w)
			}
			if len(f.emu.Matches()) == len(w.Matches) {
				t.Fatalf("every match is in scope; the match scope would prove nothing")
			}
			f.checkMirror(t, f.db)

			got, err := f.db.SyncRun(t.Context(), f.tenant.ID, run.ID)
			if err != nil || got.State != recrubo.RunSucceeded || got.FinishedAt.IsZero() {
				t.Fatalf("run = %+v, %v; want succeeded", got, err)
			}
			st, err := f.db.SyncStatus(t.Context(), f.tenant.ID)
			if err != nil || st.ScopeKey == "" || st.Watermark.IsZero() {
				t.Fatalf("status after the initial sync = %+v, %v", st, err)
			}
			// A second run of the same id finds every checkpoint done and fetches nothing.
			f.emu.ResetStats()
			if err := f.svc.RunInitial(t.Context(), run, nil); err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{"crEmployeePage", "crVacancyPage", "crMatchPage", "crUserPage"} {
				if c := f.emu.Stats().Operations[op].Calls; c != 0 {
					t.Errorf("finished run called %s %d times again", op, c)
				}
			}
		})
	}
}

func TestUnknownStatusIsRefusedWithTheTenantsStatuses(t *testing.T) {
	f := newFixture(t, storetest.SQLite)
	f.tenant.Filters.CandidateStatuses = []string{"Actief", "Bestaat niet"}
	err := (&carerixsync.Syncer{Store: f.db}).RunInitial(t.Context(), f.tenant, f.client, f.newRun(t).ID)
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if msg := recrubo.ErrorMessage(err); !strings.Contains(msg, `"Bestaat niet"`) || !strings.Contains(msg, "Actief") {
		t.Errorf("message %q does not name the unknown status and the real ones", msg)
	}
	if n, _ := f.db.CountCandidates(t.Context(), f.tenant.ID); n != 0 {
		t.Errorf("refused filter still synced %d candidates", n)
	}
}
