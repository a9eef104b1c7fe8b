-- The lean search index, part 3 (see V021): the contentless word index, rebuilt from
-- search_entries.terms; and indexes for the organisation list filters.
CREATE VIRTUAL TABLE search_fts USING fts5(terms, content = '', columnsize = 0, detail = none,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO search_fts (rowid, terms) SELECT id, terms FROM search_entries;

-- The organisation list filters (customer group, value class), in the list's name order.
CREATE INDEX organisations_customer_group_idx ON organisations (customer_group, name, id)
    WHERE customer_group IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX organisations_value_class_idx ON organisations (value_class, name, id)
    WHERE value_class IS NOT NULL AND deleted_at IS NULL;
