-- Every kind of WhatsApp message, templates as the provider has them, and
-- the state of a tenant's WhatsApp connection (PostgreSQL dialect). Same
-- conventions as 0001_init.sql.
--
-- messages.kind says what a message holds ('' for messages stored before
-- kinds were kept); content is JSON (a file's facts, a location, contact
-- cards, a tapped reply, errors); reply_to is the provider id of the
-- message it answers.
ALTER TABLE messages ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN content TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN reply_to TEXT COLLATE "C" NOT NULL DEFAULT '';

-- Templates synced from the WhatsApp Business Account: the provider's id,
-- components (header, body, footer, buttons, examples) as JSON, and why a
-- template was rejected or paused.
ALTER TABLE message_templates ADD COLUMN provider_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE message_templates ADD COLUMN components TEXT NOT NULL DEFAULT '[]';
ALTER TABLE message_templates ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE message_templates ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- A message's file, downloaded from the provider and kept here so every
-- instance serves it. content is empty until the file is stored.
CREATE TABLE message_media (
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_id  TEXT COLLATE "C" NOT NULL,
    provider_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    mime_type   TEXT NOT NULL DEFAULT '',
    filename    TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT 0,
    sha256      TEXT COLLATE "C" NOT NULL DEFAULT '',
    state       TEXT COLLATE "C" NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    content     BYTEA NOT NULL DEFAULT ''::bytea,
    stored_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, message_id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id) ON DELETE CASCADE
);

-- One reaction per reactor and message, found by the provider id of the
-- message reacted to (a reaction may arrive before that message's id is
-- known). emoji '' is a removed reaction, kept so an older one arriving
-- late does not come back.
CREATE TABLE message_reactions (
    tenant_id           TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_provider_id TEXT COLLATE "C" NOT NULL,
    reactor             TEXT COLLATE "C" NOT NULL,
    conversation_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
    emoji               TEXT NOT NULL DEFAULT '',
    at                  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, message_provider_id, reactor)
);
CREATE INDEX message_reactions_conversation ON message_reactions (tenant_id, conversation_id);

-- The last check of a tenant's number and token, and the last template sync.
CREATE TABLE whatsapp_health (
    tenant_id           TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    checked_at          BIGINT  NOT NULL DEFAULT 0,
    check_ok            BOOLEAN NOT NULL DEFAULT FALSE,
    check_error         TEXT    NOT NULL DEFAULT '',
    display_phone       TEXT    NOT NULL DEFAULT '',
    verified_name       TEXT    NOT NULL DEFAULT '',
    quality_rating      TEXT    NOT NULL DEFAULT '',
    templates_synced_at BIGINT  NOT NULL DEFAULT 0,
    templates_count     BIGINT  NOT NULL DEFAULT 0,
    templates_error     TEXT    NOT NULL DEFAULT ''
);

-- Value-level errors the provider reported about a tenant's number or app.
CREATE TABLE whatsapp_errors (
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT COLLATE "C" NOT NULL,
    code        BIGINT NOT NULL DEFAULT 0,
    title       TEXT   NOT NULL DEFAULT '',
    message     TEXT   NOT NULL DEFAULT '',
    details     TEXT   NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX whatsapp_errors_at ON whatsapp_errors (tenant_id, at);
