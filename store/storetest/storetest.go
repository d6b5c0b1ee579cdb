// Package storetest opens real stores for tests: SQLite in the test's
// temporary directory always, and PostgreSQL when TEST_DATABASE_URL is set,
// each test in a freshly created schema of its own that is dropped when the
// test ends, so tests run in parallel and leave nothing behind.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/store"
)

// The backends.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// URLVariable names the environment variable holding the PostgreSQL URL.
const URLVariable = "TEST_DATABASE_URL"

// Backends lists the backends to test: SQLite, and PostgreSQL when
// TEST_DATABASE_URL is set.
func Backends() []string {
	if os.Getenv(URLVariable) != "" {
		return []string{SQLite, Postgres}
	}
	return []string{SQLite}
}

// Env is one isolated database: a SQLite file, or a PostgreSQL schema.
// Every Open returns a new handle on the same database, like another
// instance of the service would have.
type Env struct {
	Backend string
	// Path is the SQLite file (SQLite only).
	Path string
	// URL and Schema locate the PostgreSQL schema (PostgreSQL only).
	URL    string
	Schema string
	// Cipher seals the secrets of every handle.
	Cipher recrubo.Cipher
}

// NewEnv creates an isolated database for t on backend. It skips t when
// the backend is PostgreSQL and TEST_DATABASE_URL is not set.
func NewEnv(t testing.TB, backend string) *Env {
	t.Helper()
	e := &Env{Backend: backend, Cipher: Cipher(t)}
	switch backend {
	case SQLite:
		e.Path = filepath.Join(t.TempDir(), "data", "recrubo.db")
	case Postgres:
		e.URL = os.Getenv(URLVariable)
		if e.URL == "" {
			t.Skip(URLVariable + " is not set")
		}
		e.Schema = "test_" + randomHex(t, 8)
		t.Cleanup(func() { dropSchema(t, e.URL, e.Schema) })
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	return e
}

// Config returns the store configuration of the environment.
func (e *Env) Config() store.Config {
	cfg := store.Config{Cipher: e.Cipher, Schema: e.Schema}
	if e.Backend == SQLite {
		cfg.URL = "sqlite:" + e.Path
	} else {
		cfg.URL = e.URL
	}
	return cfg
}

// Open opens a handle on the environment's database, closed when t ends.
// Options may adjust the configuration (a clock, a logger).
func (e *Env) Open(t testing.TB, opts ...func(*store.Config)) *store.DB {
	t.Helper()
	cfg := e.Config()
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("opening %s store: %v", e.Backend, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Raw opens a plain database/sql handle on the environment's database, for
// tests that look beneath the store (at sealed columns, for instance). Its
// queries use $1 parameters on both backends.
func (e *Env) Raw(t testing.TB) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	switch e.Backend {
	case SQLite:
		db, err = sql.Open("sqlite", e.Path+"?_busy_timeout=5000")
	case Postgres:
		cc, perr := pgx.ParseConfig(e.URL)
		if perr != nil {
			t.Fatalf("parsing %s: %v", URLVariable, perr)
		}
		cc.RuntimeParams["search_path"] = e.Schema
		db = stdlib.OpenDB(*cc)
	}
	if err != nil {
		t.Fatalf("opening raw %s handle: %v", e.Backend, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Cipher returns an AES-GCM keyring with a random key.
func Cipher(t testing.TB) recrubo.Cipher {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.New(map[string][]byte{"test": key}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// Clock is a settable clock for store.Config.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func dropSchema(t testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("dropping test schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("dropping test schema %s: %v", schema, err)
	}
}
