-- Why a message failed, as a code a page translates (SQLite dialect): WhatsApp's error code
-- ("131047") or one of the product's own refusals ("opted_out",
-- "template", "not_connected", "unreachable"). fail_reason keeps the
-- provider's or the service's own words, for the log and the admin.
-- Failures stored before carry their code in fail_reason's first words
-- ("131026: Message undeliverable"); that code is copied.
ALTER TABLE messages ADD COLUMN fail_code TEXT NOT NULL DEFAULT '';
UPDATE messages SET fail_code = substr(fail_reason, 1, instr(fail_reason, ':') - 1)
    WHERE status = 'failed' AND instr(fail_reason, ':') BETWEEN 2 AND 7
      AND substr(fail_reason, 1, instr(fail_reason, ':') - 1) NOT GLOB '*[^0-9]*';
-- A failed status that arrives before its message keeps its code too.
ALTER TABLE pending_statuses ADD COLUMN fail_code TEXT NOT NULL DEFAULT '';
