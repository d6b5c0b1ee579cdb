-- Provisioning (SQLite dialect): what we created in each tenant's Carerix,
-- the provisioning runs, and the admin's current verify link. Same
-- conventions as 0001_init.sql.

CREATE TABLE provisioned_items (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    remote_id  TEXT    NOT NULL,
    parent_id  TEXT    NOT NULL DEFAULT '',
    hash       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, key)
) STRICT;

CREATE TABLE provision_runs (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    action      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX provision_runs_latest ON provision_runs (tenant_id, started_at);

CREATE TABLE verify_links (
    tenant_id  TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
