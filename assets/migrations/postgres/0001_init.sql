-- The first schema of the store (PostgreSQL dialect).
--
-- Conventions shared with the SQLite migration, so one set of queries
-- serves both: times are BIGINT unix microseconds in UTC (0 = unset),
-- lists are JSON text, and every column is NOT NULL with a default. Text keys
-- use the "C" collation so ordering and comparison are bytewise, exactly as
-- in SQLite, whatever the database's locale.

CREATE TABLE tenants (
    id                    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    slug                  TEXT COLLATE "C" NOT NULL UNIQUE,
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
    verified_at           BIGINT  NOT NULL DEFAULT 0,
    created_at            BIGINT  NOT NULL DEFAULT 0,
    updated_at            BIGINT  NOT NULL DEFAULT 0
);

-- Mirror tables. A row with removed = TRUE is a tombstone: the record left the
-- mirror as of modified_at, and its data columns are cleared.
CREATE TABLE candidates (
    tenant_id        TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT COLLATE "C" NOT NULL,
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
    modified_at      BIGINT  NOT NULL,
    synced_at        BIGINT  NOT NULL DEFAULT 0,
    removed          BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX candidates_phone ON candidates (tenant_id, phone_e164) WHERE NOT removed;

CREATE TABLE vacancies (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT COLLATE "C" NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    company_name TEXT    NOT NULL DEFAULT '',
    status_id    TEXT    NOT NULL DEFAULT '',
    status_label TEXT    NOT NULL DEFAULT '',
    owner_id     TEXT    NOT NULL DEFAULT '',
    stable_hash  TEXT    NOT NULL DEFAULT '',
    search       TEXT    NOT NULL DEFAULT '',
    modified_at  BIGINT  NOT NULL,
    synced_at    BIGINT  NOT NULL DEFAULT 0,
    removed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE matches (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT COLLATE "C" NOT NULL,
    candidate_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    vacancy_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    stage        TEXT    NOT NULL DEFAULT '',
    modified_at  BIGINT  NOT NULL,
    synced_at    BIGINT  NOT NULL DEFAULT 0,
    removed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX matches_candidate ON matches (tenant_id, candidate_id) WHERE NOT removed;
CREATE INDEX matches_vacancy ON matches (tenant_id, vacancy_id) WHERE NOT removed;

CREATE TABLE recruiters (
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT COLLATE "C" NOT NULL,
    user_name   TEXT    NOT NULL DEFAULT '',
    first_name  TEXT    NOT NULL DEFAULT '',
    last_name   TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    modified_at BIGINT  NOT NULL,
    synced_at   BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE status_nodes (
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT COLLATE "C" NOT NULL,
    id          TEXT COLLATE "C" NOT NULL,
    value       TEXT    NOT NULL DEFAULT '',
    export_code TEXT    NOT NULL DEFAULT '',
    not_active  BOOLEAN NOT NULL DEFAULT FALSE,
    parent_tags TEXT    NOT NULL DEFAULT '[]',
    position    BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, kind, id)
);

CREATE TABLE sync_runs (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT COLLATE "C" NOT NULL,
    state       TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    started_at  BIGINT  NOT NULL DEFAULT 0,
    finished_at BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX sync_runs_latest ON sync_runs (tenant_id, kind, created_at);

CREATE TABLE sync_checkpoints (
    run_id     TEXT COLLATE "C" NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    entity     TEXT COLLATE "C" NOT NULL,
    tenant_id  TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    next_page  BIGINT  NOT NULL DEFAULT 0,
    pages      BIGINT  NOT NULL DEFAULT 0,
    records    BIGINT  NOT NULL DEFAULT 0,
    total      BIGINT  NOT NULL DEFAULT 0,
    done       BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, entity)
);

CREATE TABLE sync_status (
    tenant_id         TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_event_at     BIGINT  NOT NULL DEFAULT 0,
    last_applied_at   BIGINT  NOT NULL DEFAULT 0,
    last_reconcile_at BIGINT  NOT NULL DEFAULT 0,
    watermark         BIGINT  NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    last_error_at     BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE inbound_events (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source       TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    type         TEXT    NOT NULL DEFAULT '',
    payload      BYTEA   NOT NULL,
    received_at  BIGINT  NOT NULL,
    processed_at BIGINT  NOT NULL DEFAULT 0,
    outcome      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, source, id)
);
