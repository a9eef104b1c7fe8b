-- Trader registry at national scale (issue 3): organisation account fields, establishments, contacts,
-- the search index (FTS5 over text folded by the application), and durable background jobs.

ALTER TABLE organisations ADD COLUMN customer_group TEXT CHECK (customer_group IN ('partnership', 'key', 'small'));
ALTER TABLE organisations ADD COLUMN value_class TEXT CHECK (value_class IN
    ('strategic', 'key', 'big', 'middle', 'small_a', 'small', 'non_active', 'other', 'prospective'));
ALTER TABLE organisations ADD COLUMN kam_user_id INTEGER REFERENCES users(id);
ALTER TABLE organisations ADD COLUMN account_team TEXT NOT NULL DEFAULT '[]';
-- Folded postal address (street|postal code|country), for near-duplicate name warnings.
ALTER TABLE organisations ADD COLUMN address_key TEXT;
CREATE INDEX organisations_address_key_idx ON organisations (address_key) WHERE address_key IS NOT NULL;
CREATE INDEX organisations_foreign_registry_idx ON organisations (foreign_registry_id)
    WHERE foreign_registry_id IS NOT NULL;

CREATE TABLE establishments (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    street          TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL,
    unlocode        TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE UNIQUE INDEX establishments_code_uq ON establishments (organisation_id, code) WHERE deleted_at IS NULL;
CREATE INDEX establishments_org_idx ON establishments (organisation_id, id);

CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    organisation_id   INTEGER NOT NULL REFERENCES organisations(id),
    establishment_id  INTEGER REFERENCES establishments(id),
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    email             TEXT,
    phone             TEXT,
    language          TEXT,
    contact_roles     TEXT NOT NULL DEFAULT '[]',
    marketing_consent INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT,
    erased_at         TEXT
);
CREATE INDEX contacts_org_idx ON contacts (organisation_id, id);
CREATE INDEX contacts_establishment_idx ON contacts (establishment_id) WHERE establishment_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_email_uq ON contacts (organisation_id, email) WHERE email IS NOT NULL AND deleted_at IS NULL;

-- One row per searchable record. name_key is the folded name (prefix search by range scan);
-- search_keys holds exact identifiers (Business ID, EORI, VAT, e-mail), folded.
CREATE TABLE search_entries (
    id              INTEGER PRIMARY KEY,
    entity_type     TEXT NOT NULL,
    entity_id       INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL,
    title           TEXT NOT NULL,
    subtitle        TEXT NOT NULL DEFAULT '',
    name_key        TEXT NOT NULL
);
CREATE UNIQUE INDEX search_entries_entity_uq ON search_entries (entity_type, entity_id);
CREATE INDEX search_entries_name_idx ON search_entries (name_key, id);
CREATE INDEX search_entries_org_name_idx ON search_entries (organisation_id, name_key);
CREATE TABLE search_keys (
    key      TEXT NOT NULL,
    entry_id INTEGER NOT NULL
);
CREATE INDEX search_keys_key_idx ON search_keys (key, entry_id);
CREATE INDEX search_keys_entry_idx ON search_keys (entry_id);
-- Word search: folded words of names, cities, e-mails and ids; scope holds "o<organisation id>".
CREATE VIRTUAL TABLE search_fts USING fts5(terms, scope, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    created_by      INTEGER REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    input           TEXT,
    total           INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    result          TEXT,
    report          TEXT,
    message         TEXT,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT
);
CREATE INDEX jobs_status_idx ON jobs (status, id);
