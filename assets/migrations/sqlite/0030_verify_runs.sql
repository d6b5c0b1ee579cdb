-- The verify checklist's latest run per tenant (SQLite dialect): when it
-- began (runs are throttled by it), when it finished, who ran it, and its
-- result as JSON (package verify). Opening the verify page shows it; only
-- the page's button runs the checks again. Same conventions as
-- 0001_init.sql.

CREATE TABLE verify_runs (
    tenant_id   TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    run_by      TEXT    NOT NULL DEFAULT '',
    result      TEXT    NOT NULL DEFAULT ''
) STRICT;
