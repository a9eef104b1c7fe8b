-- Contacts of an establishment are found through contacts_org_idx (an establishment's contacts
-- belong to its organisation: EstablishmentService::Delete counts them by both ids). This index
-- cost an imported contact with an establishment one more B-tree insert.
DROP INDEX contacts_establishment_idx;
