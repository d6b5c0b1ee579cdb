// Package assets holds source files compiled into the binary that are not
// served to browsers: the SQL migrations of the store, and later the Carerix
// document-template sources and seed data. Files served over HTTP live in
// package static instead.
//
// The package is a plain holder of embedded files: it imports nothing of the
// module and has no behaviour beyond handing out read-only file systems.
package assets

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed migrations
var migrations embed.FS

// The SQL dialects the store has migrations for.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Migrations returns the store's versioned migrations for one SQL dialect
// (DialectSQLite or DialectPostgres): files named NNNN_name.sql at the root
// of the returned file system, applied in the order of their numbers.
func Migrations(dialect string) (fs.FS, error) {
	switch dialect {
	case DialectSQLite, DialectPostgres:
	default:
		return nil, fmt.Errorf("assets: no migrations for SQL dialect %q", dialect)
	}
	sub, err := fs.Sub(migrations, "migrations/"+dialect)
	if err != nil {
		return nil, fmt.Errorf("assets: migrations for %s: %w", dialect, err)
	}
	return sub, nil
}
