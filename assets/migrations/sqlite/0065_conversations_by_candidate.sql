-- A candidate's conversations, newest first (SQLite dialect): the inbox reads
-- them on every page load and every poll of an open thread. With the
-- index on (tenant_id, candidate_id) alone SQLite's planner preferred
-- conversations_activity for the ORDER BY and read every conversation of
-- the tenant; this index answers the filter and the order at once and
-- replaces the narrower one.
CREATE INDEX conversations_candidate_activity ON conversations (tenant_id, candidate_id, last_message_at);
DROP INDEX conversations_candidate;
