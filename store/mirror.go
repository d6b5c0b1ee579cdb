package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The mirror's modification-time rules, in SQL.
//
// Each mirrored record is one row keyed by (tenant_id, id) carrying the
// record's Carerix modification time. A removal does not delete the row: it
// turns it into a tombstone (removed = TRUE, data columns cleared,
// modified_at = asOf). Because live record and tombstone share the key,
// every upsert and removal of one record is a single INSERT ... ON CONFLICT
// on that row, which PostgreSQL and SQLite serialise on the row itself: there
// is no read-then-write window in which two writers can interleave.
//
// The ON CONFLICT ... WHERE clause is the whole rule set:
//
//	stored live record:  applied when incoming modified_at >= stored
//	                     (an older state never overwrites a newer one; the
//	                     same state again is an idempotent re-apply)
//	stored tombstone:    applied only when incoming modified_at > asOf
//	                     (a page read before the removal cannot bring the
//	                     record back; a newer state resurrects it)
//
// The same clause guards removals, so a removal older than the stored
// record is ignored and a newer removal moves the tombstone forward.
const newerWins = `(NOT %[1]s.removed AND excluded.modified_at >= %[1]s.modified_at)
        OR (%[1]s.removed AND excluded.modified_at > %[1]s.modified_at)`

// changedWins is newerWins for the tables that keep a content hash
// (candidates, vacancies, matches): a state with the same modification
// time is applied only when its stored fields differ, so reading an
// unchanged record again (a reconciliation poll, a duplicate event)
// writes nothing, invalidates nothing and wakes no page, on tenants
// whose API has no stableHash as on those where it has.
const changedWins = `(NOT %[1]s.removed AND (excluded.modified_at > %[1]s.modified_at
            OR (excluded.modified_at = %[1]s.modified_at AND excluded.content_hash <> %[1]s.content_hash)))
        OR (%[1]s.removed AND excluded.modified_at > %[1]s.modified_at)`

// contentHash identifies a record's stored fields.
func contentHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// mirrorTable describes one mirrored table for the shared removal and id
// queries.
type mirrorTable struct {
	name   string
	entity string   // change kind
	clear  []string // data columns a tombstone blanks
}

func (m mirrorTable) clearSet() string {
	var b strings.Builder
	for _, c := range m.clear {
		fmt.Fprintf(&b, ", %s = ''", c)
	}
	return b.String()
}

// The mirrored tables with tombstones.
func candidatesTable() mirrorTable {
	return mirrorTable{name: "candidates", entity: ChangeCandidate, clear: []string{
		"first_name", "last_name_prefix", "last_name", "email", "phone", "mobile", "phone_e164",
		"city", "status_id", "status_label", "owner_id", "stable_hash", "search", "content_hash"}}
}

func vacanciesTable() mirrorTable {
	return mirrorTable{name: "vacancies", entity: ChangeVacancy, clear: []string{
		"title", "company_name", "status_id", "status_label", "owner_id", "stable_hash", "search", "content_hash"}}
}

func matchesTable() mirrorTable {
	return mirrorTable{name: "matches", entity: ChangeMatch, clear: []string{"candidate_id", "vacancy_id", "stage", "content_hash"}}
}

// remove turns a record into a tombstone as of asOf. It reports whether a
// live record was removed; the tombstone is written either way (or moved
// forward), unless a newer state is stored.
func (q *queries) remove(ctx context.Context, m mirrorTable, tenantID, id string, asOf time.Time) (bool, error) {
	if tenantID == "" || id == "" {
		return false, recrubo.Errorf(recrubo.EINVALID, "Removing a %s needs a tenant and an id.", m.entity)
	}
	if asOf.IsZero() {
		return false, recrubo.Errorf(recrubo.EINVALID, "Removing %s %q needs the time it was removed.", m.entity, id)
	}
	at, synced := asOf.UnixMicro(), q.nowMicro()
	// First the common case, a live record: this statement alone tells
	// whether one was removed.
	n, err := q.q.exec(ctx, `UPDATE `+m.name+` SET removed = TRUE, modified_at = $3, synced_at = $4`+m.clearSet()+`
        WHERE tenant_id = $1 AND id = $2 AND NOT removed AND modified_at <= $3`, tenantID, id, at, synced)
	if err != nil {
		return false, fmt.Errorf("removing %s %s: %w", m.entity, id, fkNotFound(err, tenantID))
	}
	if n == 0 {
		// No live record older than asOf: write or advance the tombstone.
		// On PostgreSQL a record inserted concurrently since the UPDATE
		// is handled here too, by the same row-level rule.
		_, err = q.q.exec(ctx, `INSERT INTO `+m.name+` (tenant_id, id, modified_at, synced_at, removed)
            VALUES ($1, $2, $3, $4, TRUE)
            ON CONFLICT (tenant_id, id) DO UPDATE SET removed = TRUE, modified_at = excluded.modified_at,
                synced_at = excluded.synced_at`+m.clearSet()+`
            WHERE `+fmt.Sprintf(newerWins, m.name), tenantID, id, at, synced)
		if err != nil {
			return false, fmt.Errorf("writing tombstone of %s %s: %w", m.entity, id, fkNotFound(err, tenantID))
		}
	}
	q.touch(tenantID, m.entity, id)
	return n > 0, nil
}

// streamIDs calls fn with every live id of a mirrored table, reading a page
// at a time so no connection is held while fn runs (fn may write).
func (q *queries) streamIDs(ctx context.Context, m mirrorTable, tenantID string, fn func(id string) error) error {
	after := ""
	for {
		ids, err := collect(ctx, q.q, func(r rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT id FROM `+m.name+` WHERE tenant_id = $1 AND NOT removed AND id > $2 ORDER BY id LIMIT $3`,
			tenantID, after, idPageSize)
		if err != nil {
			return fmt.Errorf("listing %s ids: %w", m.entity, err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < idPageSize {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// count counts a tenant's live records of a mirrored table.
func (q *queries) count(ctx context.Context, m mirrorTable, tenantID string) (int64, error) {
	var n int64
	if err := q.q.queryRow(ctx, `SELECT count(*) FROM `+m.name+` WHERE tenant_id = $1 AND NOT removed`, tenantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting %s records: %w", m.entity, err)
	}
	return n, nil
}

// checkUpsert rejects a record the mirror cannot order.
func checkUpsert(entity, tenantID, id string, modifiedAt time.Time) error {
	if tenantID == "" || id == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A %s needs a tenant and an id.", entity)
	}
	if modifiedAt.IsZero() {
		return recrubo.Errorf(recrubo.EINVALID, "%s %q has no modification time.", entity, id)
	}
	return nil
}

// likePattern turns a search query into a LIKE pattern that matches it,
// folded (see fold), as a substring of a folded search column.
func likePattern(query string) string {
	return "%" + likeEscape(fold(strings.TrimSpace(query))) + "%"
}

// likeEscape escapes LIKE's wildcards and its escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// searchText is what the search column holds: the fields a query may
// match, folded.
func searchText(fields ...string) string {
	return fold(strings.Join(fields, "\n"))
}
