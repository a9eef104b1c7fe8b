-- Foundation schema: organisations, users, sessions, API tokens, change history.
-- Conventions: timestamps are TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC, sortable); lists are JSON TEXT.

CREATE TABLE organisations (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    business_id         TEXT,
    foreign_registry_id TEXT,
    eori                TEXT,
    vat_number          TEXT,
    addresses           TEXT NOT NULL DEFAULT '[]',
    languages           TEXT NOT NULL DEFAULT '[]',
    roles               TEXT NOT NULL DEFAULT '[]',
    sector_segment      TEXT,
    parent_id           INTEGER REFERENCES organisations(id),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('prospect', 'active', 'non_active')),
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE UNIQUE INDEX organisations_business_id_uq ON organisations (business_id)
    WHERE business_id IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX organisations_eori_uq ON organisations (eori) WHERE eori IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX organisations_name_idx ON organisations (name, id);
CREATE INDEX organisations_parent_idx ON organisations (parent_id);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT,
    roles           TEXT NOT NULL DEFAULT '[]',
    organisation_id INTEGER REFERENCES organisations(id),
    language        TEXT NOT NULL DEFAULT 'fi',
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    csrf_token     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    remote_address TEXT,
    user_agent     TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE change_history (
    id              INTEGER PRIMARY KEY,
    entity_type     TEXT NOT NULL,
    entity_id       INTEGER NOT NULL,
    organisation_id INTEGER,
    action          TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'erase')),
    actor_id        INTEGER,
    actor_name      TEXT NOT NULL,
    changed_at      TEXT NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX change_history_entity_idx ON change_history (entity_type, entity_id, id);
