-- Control (issue 7, part 6): document requests of documentary control with the documents traders
-- upload, control outcomes (findings), and the link from a declaration to its selectivity decision.

CREATE INDEX selectivity_decisions_ref_idx ON selectivity_decisions (declaration_ref, id);

CREATE TABLE document_requests (
    id                 INTEGER PRIMARY KEY,
    declaration_id     INTEGER NOT NULL REFERENCES declarations(id),
    organisation_id    INTEGER REFERENCES organisations(id),  -- declarant, for data scoping
    represented_org_id INTEGER REFERENCES organisations(id),
    required_documents TEXT NOT NULL,                          -- JSON array of strings
    message            TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('open', 'answered', 'decided')),
    decision           TEXT CHECK (decision IN ('release', 'physical_control', 'refuse')),
    decision_note      TEXT,
    requested_by       TEXT NOT NULL,
    requested_at       TEXT NOT NULL,
    answered_at        TEXT,
    decided_by         TEXT,
    decided_at         TEXT
);
CREATE INDEX document_requests_declaration_idx ON document_requests (declaration_id, id);

CREATE TABLE request_documents (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES document_requests(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      TEXT NOT NULL,                                -- base64
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX request_documents_request_idx ON request_documents (request_id, id);

CREATE TABLE control_findings (
    id              INTEGER PRIMARY KEY,
    declaration_id  INTEGER NOT NULL REFERENCES declarations(id),
    organisation_id INTEGER REFERENCES organisations(id),
    control_type    TEXT NOT NULL CHECK (control_type IN ('documentary', 'physical')),
    outcome         TEXT NOT NULL CHECK (outcome IN ('compliant', 'non_compliant')),
    category        TEXT CHECK (category IN ('misclassification', 'undervaluation', 'origin', 'prohibited_goods',
                                             'quantity', 'documents')),
    note            TEXT NOT NULL DEFAULT '',
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    CHECK ((outcome = 'compliant' AND category IS NULL) OR (outcome = 'non_compliant' AND category IS NOT NULL))
);
CREATE INDEX control_findings_declaration_idx ON control_findings (declaration_id, id);
