-- Inbound e-mail that could not be parsed or ingested (docs/mail.md, "Quarantine"): nothing that
-- Postfix handed to `customsdesk mail-in` is ever dropped. The raw message is kept byte for byte
-- (base64, as the bytes need not be UTF-8) with the reason, until an administrator retries or
-- deletes it. stage: parse (not a readable message), ingest (readable, but no request took it:
-- unknown sender, validation), attachment (the request got the text, an attachment was refused).
CREATE TABLE mail_quarantine (
    id              INTEGER PRIMARY KEY,
    received_at     TEXT NOT NULL,
    stage           TEXT NOT NULL CHECK (stage IN ('parse', 'ingest', 'attachment')),
    reason          TEXT NOT NULL,
    from_address    TEXT,
    subject         TEXT,
    message_id      TEXT,
    request_number  TEXT,
    size            INTEGER NOT NULL,
    raw_base64      TEXT NOT NULL,
    retries         INTEGER NOT NULL DEFAULT 0,
    last_retry_at   TEXT
);
CREATE INDEX mail_quarantine_received ON mail_quarantine (received_at, id);
