-- Broadcasts (PostgreSQL dialect): an approved template sent to a
-- vacancy's matched candidates, each at most once. A recipient moves from
-- pending to queued (with its message, written in the same transaction) or
-- skipped exactly once; request_key makes a repeated request find its
-- broadcast.
CREATE TABLE broadcasts (
    tenant_id         TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT COLLATE "C" NOT NULL,
    vacancy_id        TEXT COLLATE "C" NOT NULL,
    template_name     TEXT COLLATE "C" NOT NULL,
    template_language TEXT COLLATE "C" NOT NULL,
    vars              TEXT   NOT NULL DEFAULT '[]',
    created_by        TEXT   NOT NULL DEFAULT '',
    request_key       TEXT COLLATE "C" NOT NULL,
    state             TEXT COLLATE "C" NOT NULL DEFAULT 'running',
    total             BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    finished_at       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_key)
);
CREATE INDEX broadcasts_vacancy ON broadcasts (tenant_id, vacancy_id, created_at);

CREATE TABLE broadcast_recipients (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    broadcast_id TEXT COLLATE "C" NOT NULL,
    candidate_id TEXT COLLATE "C" NOT NULL,
    position     BIGINT NOT NULL,
    name         TEXT   NOT NULL DEFAULT '',
    phone        TEXT COLLATE "C" NOT NULL DEFAULT '',
    state        TEXT COLLATE "C" NOT NULL DEFAULT 'pending',
    reason       TEXT COLLATE "C" NOT NULL DEFAULT '',
    message_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, broadcast_id, candidate_id),
    FOREIGN KEY (tenant_id, broadcast_id) REFERENCES broadcasts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX broadcast_recipients_order ON broadcast_recipients (tenant_id, broadcast_id, state, position);
