package store_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func tenantBehaviours() []behaviour {
	return []behaviour{
		{name: "TenantRoundTrip", run: testTenantRoundTrip},
		{name: "TenantDuplicateSlug", run: testTenantDuplicateSlug},
		{name: "TenantNotFound", run: testTenantNotFound},
		{name: "TenantInvalid", run: testTenantInvalid},
		{name: "TenantUpdate", run: testTenantUpdate},
		{name: "TenantDeleteRemovesAllData", run: testTenantDelete},
		{name: "SecretsSealedInColumns", run: testSecretsSealedInColumns},
		{name: "SecretsNotInSQLiteFile", run: testSecretsNotInFile, only: storetest.SQLite},
	}
}

func testTenantRoundTrip(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()

	in := newTenant("acme")
	// The fixture must set every field, or the round trip below would not
	// cover it: a field added to Tenant fails here until it is set, and
	// then fails the comparison until the store keeps it.
	zero := zeroFields(reflect.ValueOf(*in), "Tenant")
	if got, want := strings.Join(zero, ","), "Tenant.ID,Tenant.CreatedAt,Tenant.UpdatedAt"; got != want {
		t.Fatalf("fixture leaves zero: %s; only the store's fields (%s) may be", got, want)
	}
	must(t, db.CreateTenant(ctx, in))
	if in.ID == "" {
		t.Fatal("CreateTenant assigned no ID")
	}
	if !in.CreatedAt.Equal(t0) || !in.UpdatedAt.Equal(t0) {
		t.Errorf("CreatedAt, UpdatedAt = %v, %v; want the clock's %v", in.CreatedAt, in.UpdatedAt, t0)
	}
	for _, get := range []func() (*recrubo.Tenant, error){
		func() (*recrubo.Tenant, error) { return db.TenantByID(ctx, in.ID) },
		func() (*recrubo.Tenant, error) { return db.TenantBySlug(ctx, "acme") },
	} {
		got, err := get()
		must(t, err)
		if d := diff(in, got); d != "" {
			t.Errorf("tenant read back differs (-want +got):\n%s", d)
		}
	}

	createTenant(t, db, "zeta")
	createTenant(t, db, "beta")
	all, err := db.Tenants(ctx)
	must(t, err)
	var slugs []string
	for _, tn := range all {
		slugs = append(slugs, tn.Slug)
	}
	if got, want := strings.Join(slugs, ","), "acme,beta,zeta"; got != want {
		t.Errorf("Tenants order = %s, want %s", got, want)
	}
}

func testTenantDuplicateSlug(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	createTenant(t, db, "acme")
	err := db.CreateTenant(ctx, newTenant("acme"))
	wantCode(t, err, recrubo.ECONFLICT)
	if !strings.Contains(recrubo.ErrorMessage(err), `"acme"`) {
		t.Errorf("message %q does not name the slug", recrubo.ErrorMessage(err))
	}

	other := createTenant(t, db, "other")
	other.Slug = "acme"
	wantCode(t, db.UpdateTenant(ctx, other), recrubo.ECONFLICT)
	got, err := db.TenantByID(ctx, other.ID)
	must(t, err)
	if got.Slug != "other" {
		t.Errorf("slug after refused update = %q, want other", got.Slug)
	}
}

func testTenantNotFound(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	_, err := db.TenantByID(ctx, "missing")
	wantCode(t, err, recrubo.ENOTFOUND)
	_, err = db.TenantBySlug(ctx, "missing")
	wantCode(t, err, recrubo.ENOTFOUND)
	ghost := newTenant("ghost")
	ghost.ID = "missing"
	wantCode(t, db.UpdateTenant(ctx, ghost), recrubo.ENOTFOUND)
	wantCode(t, db.DeleteTenant(ctx, "missing"), recrubo.ENOTFOUND)
	_, err = db.UpsertCandidate(ctx, candidate("missing", "c1", 1))
	wantCode(t, err, recrubo.ENOTFOUND)
}

func testTenantInvalid(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	bad := newTenant("Not A Slug")
	bad.Carerix.ClientSecret = recrubo.Secret{}
	err := db.CreateTenant(t.Context(), bad)
	wantCode(t, err, recrubo.EINVALID)
	fields := map[string]bool{}
	for _, f := range recrubo.ErrorFields(err) {
		fields[f.Field] = true
	}
	if !fields["slug"] || !fields["carerix.client_secret"] {
		t.Errorf("field errors = %v, want slug and carerix.client_secret", recrubo.ErrorFields(err))
	}
	all, err := db.Tenants(t.Context())
	must(t, err)
	if len(all) != 0 {
		t.Errorf("an invalid tenant was stored")
	}
}

func testTenantUpdate(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()
	tn := createTenant(t, db, "acme")

	clock.Advance(time.Hour)
	tn.Slug = "acme-bv"
	tn.DisplayName = "Acme B.V."
	tn.Carerix.ClientSecret = recrubo.NewSecret("rotated-secret")
	tn.WhatsApp = recrubo.WhatsAppSettings{} // channel removed
	tn.CreatedAt = time.Time{}               // ignored: the stored one is kept
	must(t, db.UpdateTenant(ctx, tn))
	if !tn.CreatedAt.Equal(t0) || !tn.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v, %v", tn.CreatedAt, tn.UpdatedAt, t0, t0.Add(time.Hour))
	}
	got, err := db.TenantBySlug(ctx, "acme-bv")
	must(t, err)
	if d := diff(tn, got); d != "" {
		t.Errorf("updated tenant differs (-want +got):\n%s", d)
	}
	_, err = db.TenantBySlug(ctx, "acme")
	wantCode(t, err, recrubo.ENOTFOUND)
}

func testTenantDelete(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	gone, kept := createTenant(t, db, "gone"), createTenant(t, db, "kept")
	for _, tn := range []*recrubo.Tenant{gone, kept} {
		fillTenant(t, db, tn.ID)
	}
	must(t, db.DeleteTenant(ctx, gone.ID))

	raw := e.Raw(t)
	for _, table := range []string{"candidates", "vacancies", "matches", "recruiters", "status_nodes",
		"sync_runs", "sync_checkpoints", "sync_status", "inbound_events"} {
		var left, other int
		must(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE tenant_id = $1`, gone.ID).Scan(&left))
		must(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE tenant_id = $1`, kept.ID).Scan(&other))
		if left != 0 {
			t.Errorf("%s: %d rows of the deleted tenant left", table, left)
		}
		if other == 0 {
			t.Errorf("%s: the other tenant's rows were deleted too", table)
		}
	}
	_, err := db.TenantByID(ctx, gone.ID)
	wantCode(t, err, recrubo.ENOTFOUND)
}

// fillTenant gives a tenant a row in every tenant-owned table.
func fillTenant(t *testing.T, db recrubo.Store, tenantID string) {
	t.Helper()
	ctx := t.Context()
	_, err := db.UpsertCandidate(ctx, candidate(tenantID, "c1", 1))
	must(t, err)
	_, err = db.RemoveCandidate(ctx, tenantID, "c2", at(1)) // a tombstone
	must(t, err)
	_, err = db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: tenantID, ID: "v1", Title: "Developer", ModifiedAt: at(1)})
	must(t, err)
	_, err = db.UpsertMatch(ctx, &recrubo.Match{TenantID: tenantID, ID: "m1", CandidateID: "c1", VacancyID: "v1", ModifiedAt: at(1)})
	must(t, err)
	_, err = db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tenantID, ID: "u1", UserName: "piet", ModifiedAt: at(1)})
	must(t, err)
	must(t, db.ReplaceStatusNodes(ctx, tenantID, recrubo.StatusCandidate, []*recrubo.StatusNode{{ID: "101", Value: "Actief"}}))
	run := &recrubo.SyncRun{TenantID: tenantID, Kind: recrubo.SyncInitial}
	must(t, db.CreateSyncRun(ctx, run))
	must(t, db.SaveCheckpoint(ctx, &recrubo.SyncCheckpoint{TenantID: tenantID, RunID: run.ID, Entity: recrubo.EntityCandidate, NextPage: 2}))
	must(t, db.SaveSyncStatus(ctx, &recrubo.SyncStatus{TenantID: tenantID, LastEventAt: at(1)}))
	_, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tenantID, Source: recrubo.SourceCarerix, ID: "e1", Payload: []byte("{}")})
	must(t, err)
}

// testSecretsSealedInColumns reads the secret columns beneath the store:
// each holds a sealed value that opens to the secret, never the plaintext.
func testSecretsSealedInColumns(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	tn := createTenant(t, db, "acme")
	var (
		cols     [7]string
		settings string
	)
	err := e.Raw(t).QueryRowContext(t.Context(), `SELECT carerix_client_secret, admin_client_secret, webhook_secret,
        embed_signing_key, whatsapp_access_token, whatsapp_app_secret, whatsapp_verify_token, settings
        FROM tenants WHERE id = $1`, tn.ID).Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6], &settings)
	must(t, err)
	for i, plain := range plainSecrets(tn) {
		if strings.Contains(cols[i], plain) || strings.Contains(settings, plain) {
			t.Errorf("secret %d is stored in plaintext", i)
		}
		opened, err := e.Cipher.Open(cols[i])
		must(t, err)
		if opened != plain {
			t.Errorf("column %d opens to %q, want %q", i, opened, plain)
		}
	}
}

// testSecretsNotInFile checks the bytes SQLite wrote to disk.
func testSecretsNotInFile(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	tn := createTenant(t, db, "acme")
	tn.WhatsApp.AccessToken = recrubo.NewSecret("plain-rotated-wa-token")
	must(t, db.UpdateTenant(t.Context(), tn))
	// Close checkpoints the write-ahead log into the database file.
	must(t, db.Close())
	raw, err := os.ReadFile(e.Path)
	must(t, err)
	if !bytes.Contains(raw, []byte("client-acme")) {
		t.Fatal("the file does not hold the tenant at all; the check below would prove nothing")
	}
	wal, _ := os.ReadFile(e.Path + "-wal") // absent after a clean close
	for _, plain := range append(plainSecrets(tn), "plain-wa-token-acme") {
		if bytes.Contains(raw, []byte(plain)) || bytes.Contains(wal, []byte(plain)) {
			t.Errorf("secret %q found in plaintext on disk", plain)
		}
	}
	st, err := os.Stat(e.Path)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, want 0600", st.Mode().Perm())
	}
}
