-- One index instead of three on contacts: every imported contact paid an insert into each.
-- contacts_org_email_uq serves lookups by organisation (its leading column: the organisation's
-- contacts, the trader's search scope, counts) and keeps an e-mail unique among the
-- organisation's contacts that are not deleted (the expression is NULL otherwise, and NULLs do
-- not collide). Contacts of an establishment are found through it too (an establishment's contacts
-- belong to its organisation: EstablishmentService::Delete counts them by both ids).
CREATE UNIQUE INDEX contacts_org_email_uq ON contacts (organisation_id, (CASE WHEN deleted_at IS NULL THEN email END));
DROP INDEX contacts_email_uq;
DROP INDEX contacts_org_idx;
DROP INDEX contacts_establishment_idx;
