-- Broadcasts (SQLite dialect): an approved template sent to a vacancy's
-- matched candidates, each at most once. A recipient moves from pending to
-- queued (with its message, written in the same transaction) or skipped
-- exactly once; request_key makes a repeated request find its broadcast.
CREATE TABLE broadcasts (
    tenant_id         TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT    NOT NULL,
    vacancy_id        TEXT    NOT NULL,
    template_name     TEXT    NOT NULL,
    template_language TEXT    NOT NULL,
    vars              TEXT    NOT NULL DEFAULT '[]',
    created_by        TEXT    NOT NULL DEFAULT '',
    request_key       TEXT    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'running',
    total             INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    finished_at       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_key)
) STRICT;
CREATE INDEX broadcasts_vacancy ON broadcasts (tenant_id, vacancy_id, created_at);

CREATE TABLE broadcast_recipients (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    broadcast_id TEXT    NOT NULL,
    candidate_id TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'pending',
    reason       TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, broadcast_id, candidate_id),
    FOREIGN KEY (tenant_id, broadcast_id) REFERENCES broadcasts (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX broadcast_recipients_order ON broadcast_recipients (tenant_id, broadcast_id, state, position);
