-- Selectivity (issue 7, part 5): the trader's AEO authorisation, the compliance history that risk
-- profiles read, the configurable random sample, and every selectivity decision with the profile
-- rules that fired (for explanations and each profile's hit rate).

-- AEO authorisation type of the trader (EU UCC: AEOC customs simplifications, AEOS security and
-- safety, AEOF both); NULL = not authorised.
ALTER TABLE organisations ADD COLUMN aeo_type TEXT CHECK (aeo_type IN ('AEOC', 'AEOS', 'AEOF'));

-- One row per trader that has been assessed or controlled.
CREATE TABLE trader_compliance (
    organisation_id      INTEGER PRIMARY KEY REFERENCES organisations(id),
    declaration_count    INTEGER NOT NULL DEFAULT 0,
    first_declaration_at TEXT,
    controls             INTEGER NOT NULL DEFAULT 0,
    findings             INTEGER NOT NULL DEFAULT 0,
    last_control_at      TEXT,
    last_finding_at      TEXT,
    updated_at           TEXT NOT NULL
);

-- The single row (id = 1) of selectivity settings: random sample rates in parts per million and the
-- key of the sampling generator (a 64-bit integer).
CREATE TABLE selectivity_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    red_ppm     INTEGER NOT NULL CHECK (red_ppm BETWEEN 0 AND 1000000),
    yellow_ppm  INTEGER NOT NULL CHECK (yellow_ppm BETWEEN 0 AND 1000000),
    sample_key  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (red_ppm + yellow_ppm <= 1000000)
);

CREATE TABLE selectivity_decisions (
    id              INTEGER PRIMARY KEY,
    declaration_id  INTEGER NOT NULL,
    declaration_ref TEXT NOT NULL,
    organisation_id INTEGER,
    lane            TEXT NOT NULL CHECK (lane IN ('green', 'blue', 'yellow', 'red')),
    rule_lane       TEXT NOT NULL CHECK (rule_lane IN ('green', 'blue', 'yellow', 'red')),
    sampled         INTEGER NOT NULL DEFAULT 0,
    explanation     TEXT NOT NULL,
    decided_at      TEXT NOT NULL
);
CREATE INDEX selectivity_decisions_declaration_idx ON selectivity_decisions (declaration_id, id);

-- Rules that fired in a decision; decisive = their lane is the decision's lane.
CREATE TABLE selectivity_hits (
    id              INTEGER PRIMARY KEY,
    decision_id     INTEGER NOT NULL REFERENCES selectivity_decisions(id),
    profile_key     TEXT NOT NULL,
    profile_version INTEGER NOT NULL,
    rule_number     INTEGER NOT NULL,
    lane            TEXT NOT NULL,
    decisive        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX selectivity_hits_decision_idx ON selectivity_hits (decision_id);

-- Counters per profile version: assessments where it fired, decisive hits, and (from control)
-- controls and findings on declarations it sent to control.
CREATE TABLE selectivity_profile_stats (
    profile_key     TEXT NOT NULL,
    profile_version INTEGER NOT NULL,
    hits            INTEGER NOT NULL DEFAULT 0,
    decisive_hits   INTEGER NOT NULL DEFAULT 0,
    controls        INTEGER NOT NULL DEFAULT 0,
    findings        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (profile_key, profile_version)
);
