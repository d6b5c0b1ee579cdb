package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/assets"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func migrationBehaviours() []behaviour {
	return []behaviour{
		{name: "MigrationsIdempotentOnReopen", run: testReopen},
		{name: "PingDetectsMissingMigration", run: testPingDetectsMissingMigration},
		{name: "ConcurrentOpen", run: testConcurrentOpen},
	}
}

func testReopen(t *testing.T, e *storetest.Env) {
	first := e.Open(t)
	tn := createTenant(t, first, "acme")
	must(t, first.Close())
	again := e.Open(t)
	must(t, again.Ping(t.Context()))
	got, err := again.TenantBySlug(t.Context(), "acme")
	must(t, err)
	if got.ID != tn.ID || got.Carerix.ClientSecret.Reveal() != tn.Carerix.ClientSecret.Reveal() {
		t.Errorf("reopened store returned %+v", got)
	}
	assertMigrationRows(t, e, embeddedMigrations(t, e.Backend))
}

func testPingDetectsMissingMigration(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	must(t, db.Ping(t.Context()))
	_, err := e.Raw(t).ExecContext(t.Context(), `DELETE FROM schema_migrations`)
	must(t, err)
	if err := db.Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "not up to date") {
		t.Errorf("Ping = %v, want a schema error", err)
	}
}

// testConcurrentOpen starts several instances on one empty schema at once:
// on PostgreSQL the advisory lock lets one migrate while the others wait,
// on SQLite each migration transaction holds the write lock and looks
// again (as serve and a command started together on a new file do).
func testConcurrentOpen(t *testing.T, e *storetest.Env) {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := store.Open(context.Background(), e.Config())
			if err == nil {
				err = db.Ping(context.Background())
				_ = db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	assertMigrationRows(t, e, embeddedMigrations(t, e.Backend))
}

// embeddedMigrations counts the migration files of backend's dialect.
func embeddedMigrations(t *testing.T, backend string) int {
	t.Helper()
	fsys, err := assets.Migrations(backend)
	must(t, err)
	files, err := fs.Glob(fsys, "*.sql")
	must(t, err)
	return len(files)
}

func assertMigrationRows(t *testing.T, e *storetest.Env, want int) {
	t.Helper()
	var n int
	must(t, e.Raw(t).QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n))
	if n != want {
		t.Errorf("schema_migrations has %d rows, want %d", n, want)
	}
}

func TestOpenConfig(t *testing.T) {
	cipher := storetest.Cipher(t)
	for _, tc := range []struct {
		name string
		cfg  store.Config
		want string
	}{
		{"NoCipher", store.Config{DataDir: t.TempDir()}, "Cipher is required"},
		{"NoLocation", store.Config{Cipher: cipher}, "set Config.URL or Config.DataDir"},
		{"UnknownScheme", store.Config{Cipher: cipher, URL: "mysql://x"}, `unsupported database URL scheme "mysql"`},
		{"InMemory", store.Config{Cipher: cipher, URL: "sqlite::memory:"}, "not supported"},
		{"EmptySQLitePath", store.Config{Cipher: cipher, URL: "sqlite:"}, "no file path"},
		{"OnePostgresConn", store.Config{Cipher: cipher, URL: "postgres://localhost/x", MaxConns: 1}, "at least 2"},
		{"BadSchema", store.Config{Cipher: cipher, URL: "postgres://localhost/x", Schema: "Robert'); DROP"}, "Config.Schema"},
		{"BadPostgresURL", store.Config{Cipher: cipher, URL: "postgres://u:secretpw@host:notaport/db"}, "not a valid postgres:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Open(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}

	t.Run("DataDirDefault", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		db, err := store.Open(t.Context(), store.Config{Cipher: cipher, DataDir: dir})
		must(t, err)
		defer db.Close()
		if db.Backend() != "sqlite" {
			t.Errorf("backend = %s", db.Backend())
		}
		st, err := os.Stat(dir)
		must(t, err)
		if st.Mode().Perm() != 0o700 {
			t.Errorf("data directory mode = %v, want 0700", st.Mode().Perm())
		}
		if _, err := os.Stat(filepath.Join(dir, "recrubo.db")); err != nil {
			t.Errorf("no recrubo.db in the data directory: %v", err)
		}
	})
}

// TestSQLiteOpenWaitsOutAnotherWriter: a process opening a SQLite
// database while another holds its write lock for longer than
// busy_timeout (another process's migrations on a slow disk) waits for
// the lock instead of failing to start: on a new database (its first
// statement creates the migrations' table) and on one migrated before
// (River's migrations take the lock).
func TestSQLiteOpenWaitsOutAnotherWriter(t *testing.T) {
	for _, migrated := range []bool{false, true} {
		t.Run(map[bool]string{false: "new", true: "migrated"}[migrated], func(t *testing.T) {
			e := storetest.NewEnv(t, storetest.SQLite)
			if migrated {
				e.Open(t)
			}
			must(t, os.MkdirAll(filepath.Dir(e.Path), 0o700))
			// The other process keeps a WAL database, as the store does.
			other, err := sql.Open("sqlite", e.Path+"?_busy_timeout=5000&_journal_mode=WAL")
			must(t, err)
			defer other.Close()
			conn, err := other.Conn(t.Context())
			must(t, err)
			defer conn.Close()
			_, err = conn.ExecContext(t.Context(), "BEGIN IMMEDIATE")
			must(t, err)
			released := make(chan error, 1)
			go func() {
				time.Sleep(7 * time.Second) // past busy_timeout (5 s)
				_, err := conn.ExecContext(context.Background(), "COMMIT")
				released <- err
			}()
			db, err := store.Open(t.Context(), e.Config())
			if err != nil {
				t.Fatalf("opening while another writer held the lock for 7 s: %v", err)
			}
			defer db.Close()
			must(t, <-released)
			must(t, db.Ping(t.Context()))
		})
	}
}
