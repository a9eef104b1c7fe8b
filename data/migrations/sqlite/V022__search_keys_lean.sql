-- The lean search index, part 2 (see V021): exact identifiers in one B-tree, the new entries table
-- in place of the old one. Split from V021 so that no migration script of a national-scale
-- register comes near the statement timeout.
CREATE TABLE search_keys_v021 (
    key      TEXT NOT NULL,
    entry_id INTEGER NOT NULL,
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO search_keys_v021 (key, entry_id)
SELECT k.key, e.entity_id * 4 + CASE e.entity_type WHEN 'organisation' THEN 1 WHEN 'establishment' THEN 2 ELSE 3 END
FROM search_keys k JOIN search_entries e ON e.id = k.entry_id;

DROP TABLE search_fts;
DROP TABLE search_keys;
DROP TABLE search_entries;
ALTER TABLE search_entries_v021 RENAME TO search_entries;
ALTER TABLE search_keys_v021 RENAME TO search_keys;
CREATE INDEX search_entries_name_idx ON search_entries (name_key, id);
CREATE INDEX search_entries_org_name_idx ON search_entries (organisation_id, name_key);
