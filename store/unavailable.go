package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// unavailableMessage is what a caller reads when the database cannot be
// reached or cannot take a write right now: the request may be repeated
// (the HTTP layer answers 503 with Retry-After).
const unavailableMessage = "The database is unavailable; try again shortly."

// unavailable wraps err as EUNAVAILABLE.
func unavailable(err error) error {
	return recrubo.WrapError(recrubo.EUNAVAILABLE, err, unavailableMessage)
}

// pgUnavailable reports whether a PostgreSQL error means the database is
// down, restarting, unreachable or out of room, rather than that the query
// is wrong: connection failures and drops, timeouts, and the server's
// connection-exception, shutdown and insufficient-resources errors.
func pgUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, crashed, starting up
			return true
		case strings.HasPrefix(pgErr.Code, "53"): // insufficient resources: disk full, out of memory, too many connections
			return true
		}
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false // the caller went away; nothing is down
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed")
}

// sqliteUnavailable reports whether a SQLite error means the database
// cannot be used right now: locked by another process beyond the busy
// timeout, the disk full, or the file unreadable or unwritable.
// sqliteBusy reports whether err is SQLite's "database is busy" (or
// locked): another connection holds the write lock past busy_timeout.
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

func sqliteUnavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}
