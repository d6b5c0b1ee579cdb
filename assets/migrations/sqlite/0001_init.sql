-- The first schema of the store (SQLite dialect).
--
-- Conventions shared with the PostgreSQL migration, so one set of queries
-- serves both: times are INTEGER unix microseconds in UTC (0 = unset),
-- booleans are INTEGER 0/1, lists are JSON text, and every column is NOT NULL
-- with a default. Tables are STRICT so a value of the wrong type is an error
-- instead of being stored as something else.

CREATE TABLE tenants (
    id                    TEXT    NOT NULL PRIMARY KEY,
    slug                  TEXT    NOT NULL UNIQUE,
    display_name          TEXT    NOT NULL DEFAULT '',
    -- settings is the tenant without its secrets, as JSON.
    settings              TEXT    NOT NULL DEFAULT '{}',
    -- Secrets, each sealed by the configured cipher ('' when unset).
    carerix_client_secret TEXT    NOT NULL DEFAULT '',
    admin_client_secret   TEXT    NOT NULL DEFAULT '',
    webhook_secret        TEXT    NOT NULL DEFAULT '',
    embed_signing_key     TEXT    NOT NULL DEFAULT '',
    whatsapp_access_token TEXT    NOT NULL DEFAULT '',
    whatsapp_app_secret   TEXT    NOT NULL DEFAULT '',
    whatsapp_verify_token TEXT    NOT NULL DEFAULT '',
    verified_at           INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL DEFAULT 0,
    updated_at            INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Mirror tables. A row with removed = 1 is a tombstone: the record left the
-- mirror as of modified_at, and its data columns are cleared.
CREATE TABLE candidates (
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT    NOT NULL,
    first_name       TEXT    NOT NULL DEFAULT '',
    last_name_prefix TEXT    NOT NULL DEFAULT '',
    last_name        TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    phone            TEXT    NOT NULL DEFAULT '',
    mobile           TEXT    NOT NULL DEFAULT '',
    phone_e164       TEXT    NOT NULL DEFAULT '',
    city             TEXT    NOT NULL DEFAULT '',
    status_id        TEXT    NOT NULL DEFAULT '',
    status_label     TEXT    NOT NULL DEFAULT '',
    owner_id         TEXT    NOT NULL DEFAULT '',
    stable_hash      TEXT    NOT NULL DEFAULT '',
    -- search is the lower-cased name, email and phone numbers, for
    -- substring search that behaves the same on both databases.
    search           TEXT    NOT NULL DEFAULT '',
    modified_at      INTEGER NOT NULL,
    synced_at        INTEGER NOT NULL DEFAULT 0,
    removed          INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX candidates_phone ON candidates (tenant_id, phone_e164) WHERE NOT removed;

CREATE TABLE vacancies (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    company_name TEXT    NOT NULL DEFAULT '',
    status_id    TEXT    NOT NULL DEFAULT '',
    status_label TEXT    NOT NULL DEFAULT '',
    owner_id     TEXT    NOT NULL DEFAULT '',
    stable_hash  TEXT    NOT NULL DEFAULT '',
    search       TEXT    NOT NULL DEFAULT '',
    modified_at  INTEGER NOT NULL,
    synced_at    INTEGER NOT NULL DEFAULT 0,
    removed      INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE matches (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    candidate_id TEXT    NOT NULL DEFAULT '',
    vacancy_id   TEXT    NOT NULL DEFAULT '',
    stage        TEXT    NOT NULL DEFAULT '',
    modified_at  INTEGER NOT NULL,
    synced_at    INTEGER NOT NULL DEFAULT 0,
    removed      INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX matches_candidate ON matches (tenant_id, candidate_id) WHERE NOT removed;
CREATE INDEX matches_vacancy ON matches (tenant_id, vacancy_id) WHERE NOT removed;

CREATE TABLE recruiters (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    user_name   TEXT    NOT NULL DEFAULT '',
    first_name  TEXT    NOT NULL DEFAULT '',
    last_name   TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    modified_at INTEGER NOT NULL,
    synced_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE status_nodes (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    value       TEXT    NOT NULL DEFAULT '',
    export_code TEXT    NOT NULL DEFAULT '',
    not_active  INTEGER NOT NULL DEFAULT 0 CHECK (not_active IN (0, 1)),
    parent_tags TEXT    NOT NULL DEFAULT '[]',
    position    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, kind, id)
) STRICT;

CREATE TABLE sync_runs (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    started_at  INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sync_runs_latest ON sync_runs (tenant_id, kind, created_at);

CREATE TABLE sync_checkpoints (
    run_id     TEXT    NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    entity     TEXT    NOT NULL,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    next_page  INTEGER NOT NULL DEFAULT 0,
    pages      INTEGER NOT NULL DEFAULT 0,
    records    INTEGER NOT NULL DEFAULT 0,
    total      INTEGER NOT NULL DEFAULT 0,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    updated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, entity)
) STRICT;

CREATE TABLE sync_status (
    tenant_id         TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_event_at     INTEGER NOT NULL DEFAULT 0,
    last_applied_at   INTEGER NOT NULL DEFAULT 0,
    last_reconcile_at INTEGER NOT NULL DEFAULT 0,
    watermark         INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    last_error_at     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE inbound_events (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    type         TEXT    NOT NULL DEFAULT '',
    payload      BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER NOT NULL DEFAULT 0,
    outcome      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, source, id)
) STRICT;
