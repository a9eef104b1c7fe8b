-- Rules as managed assets (issue 5, item 5): rule sets with versioned DMN documents, a reviewed
-- lifecycle (draft -> in_review -> approved -> active -> retired, four eyes on approval) and saved
-- test cases. At most one version of a rule set is active (partial unique index).

CREATE TABLE rulesets (
    id          INTEGER PRIMARY KEY,
    ruleset_key TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE ruleset_versions (
    id                INTEGER PRIMARY KEY,
    ruleset_id        INTEGER NOT NULL REFERENCES rulesets(id),
    version           INTEGER NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'approved', 'active', 'retired')),
    dmn               TEXT NOT NULL,
    comment           TEXT NOT NULL DEFAULT '',
    author_id         INTEGER REFERENCES users(id),
    author_name       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    submitted_by      TEXT,
    submitted_at      TEXT,
    approved_by       TEXT,
    approved_at       TEXT,
    activated_by      TEXT,
    activated_at      TEXT,
    retired_by        TEXT,
    retired_at        TEXT,
    UNIQUE (ruleset_id, version)
);
CREATE UNIQUE INDEX ruleset_versions_one_active ON ruleset_versions (ruleset_id) WHERE state = 'active';

CREATE TABLE ruleset_test_cases (
    id          INTEGER PRIMARY KEY,
    ruleset_id  INTEGER NOT NULL REFERENCES rulesets(id),
    name        TEXT NOT NULL,
    decision    TEXT NOT NULL,
    inputs      TEXT NOT NULL,
    expected    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (ruleset_id, name)
);
