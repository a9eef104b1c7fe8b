-- The search entries of an organisation are found through the entity tables' organisation indexes
-- (entry id = entity id * 4 + kind; registry/search.cpp OwnEntries), so this index only cost
-- imports and writes time.
DROP INDEX search_entries_org_name_idx;
