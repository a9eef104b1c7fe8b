-- Declarations (issue 7): lodged import (H1, H7) and export (B1) declarations with their goods items
-- kept as the canonical JSON of the model (declarations/declaration.hpp), the lifecycle state, the
-- MRN, and the results computed at acceptance (taxes, selectivity lane). The trader's LRN is an
-- idempotency key per declarant (unique (declarant_eori, lrn)). Data scoping: a trader sees rows whose
-- declarant_org_id or represented_org_id is its organisation.

CREATE TABLE declarations (
    id                 INTEGER PRIMARY KEY,
    declarant_eori     TEXT NOT NULL,
    lrn                TEXT NOT NULL,
    declarant_org_id   INTEGER REFERENCES organisations(id),
    represented_org_id INTEGER REFERENCES organisations(id),
    type               TEXT NOT NULL CHECK (type IN ('H1', 'H7', 'B1')),
    state              TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'rejected', 'accepted', 'released',
                           'under_documentary_control', 'under_physical_control', 'not_released', 'invalidated')),
    mrn                TEXT UNIQUE,
    lodged_by          INTEGER REFERENCES users(id),
    payload            TEXT NOT NULL,
    violations         TEXT,
    taxes              TEXT,
    lane               TEXT,
    selectivity        TEXT,
    created_at         TEXT NOT NULL,
    accepted_at        TEXT,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX declarations_lrn_uq ON declarations (declarant_eori, lrn);
CREATE INDEX declarations_declarant_org_idx ON declarations (declarant_org_id, id);
CREATE INDEX declarations_represented_org_idx ON declarations (represented_org_id, id) WHERE represented_org_id IS NOT NULL;
CREATE INDEX declarations_state_idx ON declarations (state, id);

-- Every lifecycle transition: who, when, from which state to which, why.
CREATE TABLE declaration_transitions (
    id             INTEGER PRIMARY KEY,
    declaration_id INTEGER NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
    from_state     TEXT,
    to_state       TEXT NOT NULL,
    action         TEXT NOT NULL,
    actor_id       INTEGER,
    actor_name     TEXT NOT NULL,
    at             TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX declaration_transitions_decl_idx ON declaration_transitions (declaration_id, id);

-- Amendment and invalidation requests with their own decisions (requested -> accepted | rejected).
CREATE TABLE declaration_requests (
    id              INTEGER PRIMARY KEY,
    declaration_id  INTEGER NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('amendment', 'invalidation')),
    state           TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'rejected')),
    reason          TEXT NOT NULL DEFAULT '',
    payload         TEXT,
    requested_by    INTEGER,
    requested_name  TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    decided_by      INTEGER,
    decided_name    TEXT,
    decided_at      TEXT,
    decision_reason TEXT
);
CREATE INDEX declaration_requests_decl_idx ON declaration_requests (declaration_id, id);
CREATE UNIQUE INDEX declaration_requests_open_uq ON declaration_requests (declaration_id) WHERE state = 'requested';
