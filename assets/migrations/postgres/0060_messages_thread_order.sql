-- A thread pages back in time by (created_at, id) (PostgreSQL dialect):
-- the index of a conversation's messages carries the id as its last
-- column, so a page of older messages is one range read in the thread's
-- order.
CREATE INDEX messages_thread ON messages (tenant_id, conversation_id, created_at, id);
DROP INDEX messages_conversation;
