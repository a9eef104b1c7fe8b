-- Default SLA setup: the customer service calendar (Mon-Fri 08:00-16:15 Europe/Helsinki, Finnish
-- public holidays; 495 business minutes a day) and one policy per customer group plus a fallback.
-- Targets in business minutes: partnership first response 2 h, key 4 h, small 2 business days
-- (2 x 495); warning at 80 % of each target.

INSERT INTO sla_calendars (name, time_zone, holiday_rule_set, weekly_hours, extra_holidays, closures, created_at, updated_at)
VALUES ('Customer service FI', 'Europe/Helsinki', 'FI',
        '{"mon":[{"start":"08:00","end":"16:15"}],"tue":[{"start":"08:00","end":"16:15"}],"wed":[{"start":"08:00","end":"16:15"}],"thu":[{"start":"08:00","end":"16:15"}],"fri":[{"start":"08:00","end":"16:15"}],"sat":[],"sun":[]}',
        '[]', '[]', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');

INSERT INTO sla_policies (name, customer_group, request_type, priority, calendar_id, first_response_minutes,
                          next_response_minutes, resolution_minutes, warning_kind, warning_value, escalations,
                          created_at, updated_at)
SELECT 'Partnership customers', 'partnership', NULL, NULL, id, 120, 240, 1980, 'percent', 80,
       '[{"on":"warning","metric":"any","action":"notify","target":"assignee"},{"on":"breach","metric":"any","action":"notify","target":"kam"},{"on":"breach","metric":"first_response","action":"raise_priority","target":""}]',
       '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
FROM sla_calendars WHERE name = 'Customer service FI';

INSERT INTO sla_policies (name, customer_group, request_type, priority, calendar_id, first_response_minutes,
                          next_response_minutes, resolution_minutes, warning_kind, warning_value, escalations,
                          created_at, updated_at)
SELECT 'Key customers', 'key', NULL, NULL, id, 240, 480, 2475, 'percent', 80,
       '[{"on":"warning","metric":"any","action":"notify","target":"assignee"},{"on":"breach","metric":"any","action":"notify","target":"kam"}]',
       '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
FROM sla_calendars WHERE name = 'Customer service FI';

INSERT INTO sla_policies (name, customer_group, request_type, priority, calendar_id, first_response_minutes,
                          next_response_minutes, resolution_minutes, warning_kind, warning_value, escalations,
                          created_at, updated_at)
SELECT 'Small customers', 'small', NULL, NULL, id, 990, 990, 4950, 'percent', 80,
       '[{"on":"warning","metric":"any","action":"notify","target":"assignee"},{"on":"breach","metric":"any","action":"notify","target":"group_lead"}]',
       '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
FROM sla_calendars WHERE name = 'Customer service FI';

INSERT INTO sla_policies (name, customer_group, request_type, priority, calendar_id, first_response_minutes,
                          next_response_minutes, resolution_minutes, warning_kind, warning_value, escalations,
                          created_at, updated_at)
SELECT 'Default', NULL, NULL, NULL, id, 990, 990, 4950, 'percent', 80,
       '[{"on":"breach","metric":"any","action":"notify","target":"group_lead"}]',
       '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
FROM sla_calendars WHERE name = 'Customer service FI';
