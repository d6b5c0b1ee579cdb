-- The record a webhook event is about (PostgreSQL dialect), e.g. "cremployee/123"
-- ('' where unknown: events stored before this column, WhatsApp's). A
-- drain that reads a record marks every waiting event of that record
-- received before the read: the read saw all of their changes, so a
-- burst costs one read per record however many drain batches its events
-- fill.
ALTER TABLE inbound_events ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX inbound_events_subject_waiting ON inbound_events (tenant_id, source, subject, received_at) WHERE processed_at = 0;
