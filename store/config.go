package store

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Config configures Open.
type Config struct {
	// URL selects the database. A postgres:// or postgresql:// URL selects
	// PostgreSQL. A sqlite: URL (sqlite:/abs/path, sqlite://rel/path) or a
	// plain file path selects SQLite. Empty means SQLite in DataDir.
	URL string
	// DataDir is where the SQLite file lives when URL is empty
	// (<DataDir>/recrubo.db). It is created with mode 0700.
	DataDir string
	// Schema is the PostgreSQL schema that holds all tables, River's
	// included. Empty uses the connection's search_path (normally public).
	// Tests use a fresh schema each. Ignored for SQLite.
	Schema string
	// Cipher seals secrets before they are written. Required.
	Cipher recrubo.Cipher
	// Logger receives the store's operational messages. Default: discard.
	Logger *slog.Logger
	// Now is the clock for timestamps the store assigns. Default: time.Now.
	Now func() time.Time
	// MaxConns bounds the PostgreSQL pool, or the SQLite read pool (the
	// SQLite writer always has exactly one connection). Default: 10 for
	// PostgreSQL, 4 for SQLite.
	MaxConns int
}

// The backends Open can select.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

// sqliteFileName is the file created in DataDir when URL is empty.
const sqliteFileName = "recrubo.db"

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// target is what a validated Config points at.
type target struct {
	backend string
	pgURL   string // PostgreSQL connection string
	path    string // absolute SQLite file path
}

// resolve validates c and works out the backend and location.
func (c Config) resolve() (target, error) {
	if c.Cipher == nil {
		return target{}, errors.New("store: Config.Cipher is required: secrets are encrypted at rest")
	}
	if c.MaxConns < 0 {
		return target{}, fmt.Errorf("store: Config.MaxConns is %d, must be 0 (default) or more", c.MaxConns)
	}
	if c.Schema != "" && !schemaName.MatchString(c.Schema) {
		return target{}, fmt.Errorf("store: Config.Schema %q must be 1-40 lower-case letters, digits or underscores", c.Schema)
	}
	raw := strings.TrimSpace(c.URL)
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			// The URL may hold a password: do not echo it.
			return target{}, errors.New("store: Config.URL is not a valid postgres:// URL")
		}
		if c.MaxConns == 1 {
			// Migrations hold one connection while River's run on
			// another, and a River runner keeps one in LISTEN.
			return target{}, errors.New("store: Config.MaxConns must be at least 2 on PostgreSQL")
		}
		return target{backend: backendPostgres, pgURL: raw}, nil
	case raw == "":
		if c.DataDir == "" {
			return target{}, errors.New("store: set Config.URL or Config.DataDir (where the SQLite file lives)")
		}
		return sqliteTarget(filepath.Join(c.DataDir, sqliteFileName))
	case strings.HasPrefix(raw, "sqlite:"):
		return sqliteTarget(strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//"))
	case strings.Contains(raw, "://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return target{}, fmt.Errorf("store: unsupported database URL scheme %q: use postgres://, sqlite: or a file path", scheme)
	default:
		return sqliteTarget(raw)
	}
}

func sqliteTarget(p string) (target, error) {
	if p == "" {
		return target{}, errors.New("store: the SQLite URL has no file path")
	}
	if p == ":memory:" || strings.HasPrefix(p, "file::memory:") || strings.Contains(p, "?") {
		return target{}, fmt.Errorf("store: SQLite path %q is not supported: use a plain file path "+
			"(the store opens separate reader and writer connections to one file)", p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return target{}, fmt.Errorf("store: SQLite path %q: %w", p, err)
	}
	return target{backend: backendSQLite, path: abs}, nil
}
