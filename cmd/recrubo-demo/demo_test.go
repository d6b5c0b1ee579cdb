package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// The demo says how many of Carerix's candidates the tenant syncs, not
// only how many Carerix holds.
func TestPrintDemoScope(t *testing.T) {
	ctx := context.Background()
	cx := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	seeded, err := cx.Seed(ctx, carerixemu.SeedOptions{Candidates: 1000, Vacancies: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for _, id := range seeded.Candidates {
		if e, err := cx.Employee(id); err != nil {
			t.Fatal(err)
		} else if e.Deleted {
			deleted++
		}
	}
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)
	tn := demoTenant(cx)
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	for i := range 616 {
		if _, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: fmt.Sprint(i), ModifiedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := printDemoScope(ctx, &out, cx, seeded, db, tn); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Carerix holds 1,000 candidates (%d of them deleted) and 3 vacancies. In the synced statuses: 616 candidates "+
		"(Actief, Nieuw, Beschikbaar) and 0 vacancies (Open); only these reach the inbox and the dashboard.\n", deleted)
	if out.String() != want || deleted == 0 {
		t.Errorf("printed %q\nwant    %q", out.String(), want)
	}
	if !strings.Contains(out.String(), "1,000") {
		t.Error("the count is not grouped")
	}
}
