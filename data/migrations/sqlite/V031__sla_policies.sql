-- SLA policies (docs/sla.md): chosen by customer group, request type and priority (NULL = any; the
-- most specific match wins), targets in business minutes of a calendar (NULL = not measured), a
-- warning threshold, and escalation actions stored as data:
--   escalations [{"on": "warning"|"breach", "metric": "first_response"|"next_response"|"resolution"|"any",
--                 "action": "notify"|"raise_priority"|"move_tier"|"move_group", "target": "..."}]
-- One policy per selector (the unique index treats NULL as "any").

CREATE TABLE sla_policies (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    customer_group         TEXT CHECK (customer_group IN ('partnership', 'key', 'small')),
    request_type           TEXT,
    priority               TEXT,
    calendar_id            INTEGER NOT NULL REFERENCES sla_calendars(id),
    first_response_minutes INTEGER CHECK (first_response_minutes >= 0),
    next_response_minutes  INTEGER CHECK (next_response_minutes >= 0),
    resolution_minutes     INTEGER CHECK (resolution_minutes >= 0),
    warning_kind           TEXT NOT NULL CHECK (warning_kind IN ('percent', 'minutes_before')),
    warning_value          INTEGER NOT NULL,
    escalations            TEXT NOT NULL DEFAULT '[]',
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE UNIQUE INDEX sla_policies_selector
    ON sla_policies (COALESCE(customer_group, '*'), COALESCE(request_type, '*'), COALESCE(priority, '*'));
CREATE INDEX sla_policies_calendar ON sla_policies (calendar_id);
