-- Search folds case, diacritics and ligatures (SQLite dialect; see
-- store/fold.go). search_version says which folding a row's search column
-- holds: rows written before (0) are folded again by the store when it
-- opens. Conversations keep their candidate's name (candidate_name, with
-- its folded search text) when the candidate leaves the mirror; the store
-- fills it for existing conversations the same way.

ALTER TABLE candidates ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vacancies ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN candidate_name TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
