-- Sync (SQLite dialect): the recruiter's stableHash for embed
-- authentication, the sync status's scan time and scope key, and indexes
-- for event statistics. Same conventions as 0001_init.sql.

ALTER TABLE recruiters ADD COLUMN stable_hash TEXT NOT NULL DEFAULT '';

ALTER TABLE sync_status ADD COLUMN last_scan_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_status ADD COLUMN scope_key TEXT NOT NULL DEFAULT '';

CREATE INDEX inbound_events_received ON inbound_events (tenant_id, source, received_at);
CREATE INDEX inbound_events_waiting ON inbound_events (tenant_id, source, received_at) WHERE processed_at = 0;
CREATE INDEX candidates_owner ON candidates (tenant_id, owner_id) WHERE NOT removed;
CREATE INDEX vacancies_owner ON vacancies (tenant_id, owner_id) WHERE NOT removed;
