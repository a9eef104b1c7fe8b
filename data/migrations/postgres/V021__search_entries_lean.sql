-- A leaner search index (issue 3 performance), as on SQLite (see sqlite/V021):
--  - search_entries.id is derived from the entity: entity_id * 4 + kind (1 organisation,
--    2 establishment, 3 contact); the (entity_type, entity_id) unique index and the identity
--    sequence are gone. `key_list` keeps the entry's exact identifiers (space-separated).
--  - search_keys has one B-tree, its primary key (key, entry_id).
CREATE TABLE search_entries_v021 (
    id              BIGINT PRIMARY KEY,
    entity_type     TEXT NOT NULL,
    entity_id       BIGINT NOT NULL,
    organisation_id BIGINT NOT NULL,
    title           TEXT NOT NULL,
    subtitle        TEXT NOT NULL DEFAULT '',
    name_key        TEXT COLLATE "C" NOT NULL,
    terms           TEXT NOT NULL DEFAULT '',
    key_list        TEXT NOT NULL DEFAULT '',
    terms_tsv       tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
INSERT INTO search_entries_v021 (id, entity_type, entity_id, organisation_id, title, subtitle, name_key, terms, key_list)
SELECT e.entity_id * 4 + CASE e.entity_type WHEN 'organisation' THEN 1 WHEN 'establishment' THEN 2 ELSE 3 END,
       e.entity_type, e.entity_id, e.organisation_id, e.title, e.subtitle, e.name_key, e.terms,
       COALESCE((SELECT string_agg(k.key, ' ') FROM search_keys k WHERE k.entry_id = e.id), '')
FROM search_entries e;

