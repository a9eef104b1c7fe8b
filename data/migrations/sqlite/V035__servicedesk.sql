-- Service desk (issue 6): request types with versioned e-forms, service groups, service requests with
-- a per-year number, the thread (public replies and internal notes), attachments (content-addressed
-- blobs), links, canned responses, and the notification outbox written in the same transaction as
-- the event that triggers it. Flags are INTEGER 0/1 in both dialects.

CREATE TABLE sd_request_types (
    id           INTEGER PRIMARY KEY,
    type_key     TEXT NOT NULL UNIQUE,
    names        TEXT NOT NULL,              -- {"fi": ..., "sv": ..., "en": ...}
    form_version INTEGER NOT NULL,           -- the current form version
    sort_order   INTEGER NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1
);

-- Every form a type ever had; requests refer to the version they were validated against.
CREATE TABLE sd_form_versions (
    id          INTEGER PRIMARY KEY,
    type_id     INTEGER NOT NULL REFERENCES sd_request_types(id),
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,               -- {"fields": [...]}
    comment     TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (type_id, version)
);

CREATE TABLE sd_service_groups (
    id          INTEGER PRIMARY KEY,
    group_key   TEXT NOT NULL UNIQUE,
    names       TEXT NOT NULL,
    tier        TEXT NOT NULL CHECK (tier IN ('self_service', 'customer_service', 'support', 'stakeholder')),
    tier_default INTEGER NOT NULL DEFAULT 0, -- the group an escalation to this tier lands in
    sort_order  INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);

-- The last serial handed out per year (SR-<year>-<serial>); allocated by an upsert in the creating
-- transaction, so two requests never get the same number on either database.
CREATE TABLE sd_serials (
    year        INTEGER PRIMARY KEY,
    last_serial INTEGER NOT NULL
);

CREATE TABLE sd_requests (
    id                   INTEGER PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,
    organisation_id      INTEGER NOT NULL REFERENCES organisations(id),
    requester_contact_id INTEGER REFERENCES contacts(id),
    requester_user_id    INTEGER REFERENCES users(id),
    requester_name       TEXT NOT NULL DEFAULT '',
    requester_email      TEXT,
    type_id              INTEGER NOT NULL REFERENCES sd_request_types(id),
    form_version         INTEGER NOT NULL,
    priority             TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    channel              TEXT NOT NULL CHECK (channel IN ('portal', 'api', 'email', 'phone')),
    language             TEXT NOT NULL DEFAULT 'fi',
    subject              TEXT NOT NULL,
    body                 TEXT NOT NULL,
    form_data            TEXT NOT NULL DEFAULT '{}',
    status               TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending_customer', 'pending_third_party',
                                                         'resolved', 'closed')),
    tier                 TEXT NOT NULL CHECK (tier IN ('self_service', 'customer_service', 'support', 'stakeholder')),
    group_id             INTEGER REFERENCES sd_service_groups(id),
    assignee_id          INTEGER REFERENCES users(id),
    tags                 TEXT NOT NULL DEFAULT '[]',
    routing              TEXT NOT NULL DEFAULT '{}',
    merged_into_id       INTEGER REFERENCES sd_requests(id),
    -- The queue order: the earliest SLA due time; '9999-12-31T23:59:59.999999Z' when none applies.
    due_at               TEXT NOT NULL DEFAULT '9999-12-31T23:59:59.999999Z',
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    first_response_at    TEXT,
    resolved_at          TEXT,
    closed_at            TEXT
);
CREATE INDEX sd_requests_due_idx ON sd_requests (due_at, id);
CREATE INDEX sd_requests_status_due_idx ON sd_requests (status, due_at, id);
CREATE INDEX sd_requests_group_due_idx ON sd_requests (group_id, due_at, id);
CREATE INDEX sd_requests_assignee_due_idx ON sd_requests (assignee_id, due_at, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX sd_requests_org_due_idx ON sd_requests (organisation_id, due_at, id);
CREATE INDEX sd_requests_contact_idx ON sd_requests (requester_contact_id) WHERE requester_contact_id IS NOT NULL;

-- The thread: public replies (customer or agent) and internal notes (staff only, never shown to
-- traders). message_id / in_reply_to hold RFC 5322 Message-IDs of e-mail replies.
CREATE TABLE sd_messages (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES sd_requests(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('reply', 'note')),
    direction       TEXT NOT NULL CHECK (direction IN ('customer', 'agent')),
    channel         TEXT NOT NULL CHECK (channel IN ('portal', 'api', 'email', 'phone')),
    author_user_id  INTEGER REFERENCES users(id),
    author_contact_id INTEGER REFERENCES contacts(id),
    author_name     TEXT NOT NULL,
    body            TEXT NOT NULL,
    message_id      TEXT,
    in_reply_to     TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX sd_messages_request_idx ON sd_messages (request_id, id);
CREATE INDEX sd_messages_message_id_idx ON sd_messages (message_id) WHERE message_id IS NOT NULL;

-- Attachment contents, addressed by SHA-256 (the same file stored once), base64 text so both
-- dialects store it the same way.
CREATE TABLE sd_blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    content    TEXT NOT NULL
);

CREATE TABLE sd_attachments (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES sd_requests(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    message_id      INTEGER REFERENCES sd_messages(id),
    internal        INTEGER NOT NULL DEFAULT 0,  -- attached to an internal note: staff only
    filename        TEXT NOT NULL,               -- sanitised display name, never used as a path
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL REFERENCES sd_blobs(sha256),
    uploaded_by     TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX sd_attachments_request_idx ON sd_attachments (request_id, id);

CREATE TABLE sd_links (
    id              INTEGER PRIMARY KEY,
    from_request_id INTEGER NOT NULL REFERENCES sd_requests(id),
    to_request_id   INTEGER NOT NULL REFERENCES sd_requests(id),
    kind            TEXT NOT NULL CHECK (kind IN ('related', 'duplicate_of', 'caused_by', 'follow_up_of',
                                                  'merged_into')),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (from_request_id, to_request_id, kind)
);
CREATE INDEX sd_links_to_idx ON sd_links (to_request_id);

CREATE TABLE sd_canned_responses (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    body        TEXT NOT NULL,
    group_id    INTEGER REFERENCES sd_service_groups(id),
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX sd_canned_name_uq ON sd_canned_responses (name, language) WHERE deleted_at IS NULL;

-- Outgoing e-mail, written in the transaction of the event; the mail sender delivers and marks it.
CREATE TABLE sd_notifications (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES sd_requests(id),
    kind        TEXT NOT NULL CHECK (kind IN ('received', 'replied', 'resolved', 'sla_warning', 'sla_breach')),
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    in_reply_to TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX sd_notifications_pending_idx ON sd_notifications (id) WHERE sent_at IS NULL;
CREATE INDEX sd_notifications_request_idx ON sd_notifications (request_id, id);
