-- Part 3 of the lean search index (see V021): on PostgreSQL the word index (GIN) was rebuilt in V022,
-- so only the indexes for the organisation list filters remain.
-- The organisation list filters (customer group, value class), in the list's name order.
CREATE INDEX organisations_customer_group_idx ON organisations (customer_group, name, id)
    WHERE customer_group IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX organisations_value_class_idx ON organisations (value_class, name, id)
    WHERE value_class IS NOT NULL AND deleted_at IS NULL;
