-- A tenant's Carerix API contract: what its GraphQL schema offers the
-- product, as the Carerix client resolved it (body, JSON), when it was
-- read, and the problem that stopped the tenant's sync, if any (a required
-- field missing, or queries Carerix kept rejecting).
CREATE TABLE carerix_contracts (
    tenant_id  TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    read_at    INTEGER NOT NULL DEFAULT 0,
    body       TEXT    NOT NULL DEFAULT '',
    problem    TEXT    NOT NULL DEFAULT '',
    problem_at INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A hash of a mirrored record's stored fields: with the modification time
-- it tells an unchanged record from a changed one where the tenant's API
-- has no stableHash (and within one second where it has).
ALTER TABLE candidates ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE vacancies ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE matches ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
