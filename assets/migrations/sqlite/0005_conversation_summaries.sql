-- Conversation summaries in Carerix (SQLite dialect): each conversation
-- keeps when its current episode started (0 for the first episode, else
-- the last time a recruiter reopened it), the Carerix activity (CRToDo
-- _id) that summarises that episode, and a hash of the notes last written
-- to it. See package messaging.

ALTER TABLE conversations ADD COLUMN episode_started_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN carerix_activity_id TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN summary_hash TEXT NOT NULL DEFAULT '';
