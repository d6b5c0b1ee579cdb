-- Sync walks page by the records' numeric key (see sync/keyset.go): a
-- checkpoint keeps the last key its walk applied. 0 with next_page > 0 is
-- a page offset saved before walks paged by key.

ALTER TABLE sync_checkpoints ADD COLUMN after_key INTEGER NOT NULL DEFAULT 0;
