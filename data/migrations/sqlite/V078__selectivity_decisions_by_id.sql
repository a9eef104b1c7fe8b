-- A control's finding finds the decision that sent the declaration to control by the
-- declaration's id (selectivity_decisions_declaration_idx), not by its "EORI/LRN" reference: the
-- reference index cost every lodging an insert of a ~45-byte key (bulk lodging writes one per
-- declaration) and served only that lookup. The reference stays in the row, for people reading it.
DROP INDEX selectivity_decisions_ref_idx;
