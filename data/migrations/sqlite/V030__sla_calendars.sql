-- SLA business calendars (issue 6, part 5; docs/sla.md): an IANA time zone, weekly opening hours,
-- a computed holiday rule set ('FI' or '' for none), extra holidays and one-off closures.
-- Nested values are JSON text (storage convention):
--   weekly_hours   {"mon": [{"start": "08:00", "end": "16:15"}], ..., "sun": []}
--   extra_holidays ["2026-01-16", ...]
--   closures       [{"start": "2026-12-28", "end": "2026-12-30", "reason": "..."},            (dates, inclusive)
--                   {"start": "2026-06-01T12:00", "end": "2026-06-01T16:15", "reason": ""}]  (local date-times)

CREATE TABLE sla_calendars (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    time_zone        TEXT NOT NULL,
    holiday_rule_set TEXT NOT NULL DEFAULT '',
    weekly_hours     TEXT NOT NULL,
    extra_holidays   TEXT NOT NULL DEFAULT '[]',
    closures         TEXT NOT NULL DEFAULT '[]',
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
