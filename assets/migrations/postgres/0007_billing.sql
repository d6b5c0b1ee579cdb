-- Costs are recorded from status webhooks (see package messaging): once
-- per provider conversation, or per message under per-message pricing
-- (billing_key), and at most once per message attempt (message_key). When
-- a status carries no pricing, a 24-hour window per conversation and
-- category (billing_windows) keeps a category from being billed twice.

ALTER TABLE conversation_costs ADD COLUMN billing_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE conversation_costs ADD COLUMN message_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE UNIQUE INDEX conversation_costs_billing_key ON conversation_costs (tenant_id, billing_key)
    WHERE billing_key <> '';
CREATE UNIQUE INDEX conversation_costs_message_key ON conversation_costs (tenant_id, message_key)
    WHERE message_key <> '';

CREATE TABLE billing_windows (
    tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id TEXT COLLATE "C" NOT NULL,
    category        TEXT COLLATE "C" NOT NULL,
    billed_until    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, category)
);
