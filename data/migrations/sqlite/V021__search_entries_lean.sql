-- A leaner search index (issue 3 performance): fewer B-tree entries per indexed record.
--  - search_entries.id is derived from the entity: entity_id * 4 + kind (1 organisation,
--    2 establishment, 3 contact), so the (entity_type, entity_id) unique index is gone and no id
--    is allocated. The row keeps the folded word list (`terms`, as on PostgreSQL) and its exact
--    identifiers (`key_list`, space-separated), which is what un-indexing needs.
--  - search_keys is one WITHOUT ROWID B-tree keyed (key, entry_id) instead of a table and two indexes.
--  - search_fts is contentless (the words live in search_entries.terms), detail=none (only
--    prefix/term AND queries are asked) and has no per-document sizes; the scope column is gone:
--    a trader's word search reads their own organisation's entries instead.
CREATE TABLE search_entries_v021 (
    id              INTEGER PRIMARY KEY,
    entity_type     TEXT NOT NULL,
    entity_id       INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL,
    title           TEXT NOT NULL,
    subtitle        TEXT NOT NULL DEFAULT '',
    name_key        TEXT NOT NULL,
    terms           TEXT NOT NULL DEFAULT '',
    key_list        TEXT NOT NULL DEFAULT ''
);
INSERT INTO search_entries_v021 (id, entity_type, entity_id, organisation_id, title, subtitle, name_key, terms, key_list)
SELECT e.entity_id * 4 + CASE e.entity_type WHEN 'organisation' THEN 1 WHEN 'establishment' THEN 2 ELSE 3 END,
       e.entity_type, e.entity_id, e.organisation_id, e.title, e.subtitle, e.name_key, COALESCE(f.terms, ''),
       COALESCE((SELECT group_concat(k.key, ' ') FROM search_keys k WHERE k.entry_id = e.id), '')
FROM search_entries e LEFT JOIN search_fts f ON f.rowid = e.id;

