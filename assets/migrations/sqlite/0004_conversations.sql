-- Conversations on the WhatsApp channel (SQLite dialect): conversations,
-- their messages, statuses that arrived before their message's provider id
-- was known, per-user read markers, message templates, consent, cost rates
-- and the billed conversations. Same conventions as 0001_init.sql.

CREATE TABLE conversations (
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    candidate_id     TEXT    NOT NULL DEFAULT '',
    ambiguous        INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT 'open',
    assignee_id      TEXT    NOT NULL DEFAULT '',
    last_inbound_at  INTEGER NOT NULL DEFAULT 0,
    last_outbound_at INTEGER NOT NULL DEFAULT 0,
    last_message_at  INTEGER NOT NULL DEFAULT 0,
    last_preview     TEXT    NOT NULL DEFAULT '',
    -- billed_until is the end of the billing window the conversation is in
    -- (0 = none yet); see package messaging for the rule.
    billed_until     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, channel, phone)
) STRICT;
CREATE INDEX conversations_activity ON conversations (tenant_id, last_message_at);
CREATE INDEX conversations_candidate ON conversations (tenant_id, candidate_id);

CREATE TABLE messages (
    tenant_id         TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT    NOT NULL,
    conversation_id   TEXT    NOT NULL,
    direction         TEXT    NOT NULL,
    sender_id         TEXT    NOT NULL DEFAULT '',
    body              TEXT    NOT NULL DEFAULT '',
    template_name     TEXT    NOT NULL DEFAULT '',
    template_language TEXT    NOT NULL DEFAULT '',
    template_vars     TEXT    NOT NULL DEFAULT '[]',
    media_type        TEXT    NOT NULL DEFAULT '',
    media_ref         TEXT    NOT NULL DEFAULT '',
    provider_id       TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    fail_reason       TEXT    NOT NULL DEFAULT '',
    send_attempt      INTEGER NOT NULL DEFAULT 0,
    dispatched_at     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    sent_at           INTEGER NOT NULL DEFAULT 0,
    delivered_at      INTEGER NOT NULL DEFAULT 0,
    read_at           INTEGER NOT NULL DEFAULT 0,
    failed_at         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX messages_provider ON messages (tenant_id, provider_id) WHERE provider_id <> '';
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, created_at);
CREATE INDEX messages_created ON messages (tenant_id, created_at);

CREATE TABLE pending_statuses (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider_id, status)
) STRICT;

CREATE TABLE read_markers (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, user_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE message_templates (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    language  TEXT    NOT NULL,
    category  TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    variables INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, name, language)
) STRICT;

CREATE TABLE consents (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    phone     TEXT    NOT NULL,
    opted_out INTEGER NOT NULL DEFAULT 0,
    source    TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, phone)
) STRICT;

-- Money is decimal text (EUR), summed exactly in Go.
CREATE TABLE cost_rates (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    category  TEXT NOT NULL,
    price     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, category)
) STRICT;

CREATE TABLE conversation_costs (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    amount          TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    -- month is YYYY-MM in the time zone the cost was recorded in.
    month           TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, at, category)
) STRICT;
CREATE INDEX conversation_costs_at ON conversation_costs (tenant_id, at);
