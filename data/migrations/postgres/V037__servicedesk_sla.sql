-- SLA of service requests (issue 6 item 5): the chosen policy, the event timeline, the stored
-- evaluation, the markers of raised warnings/breaches, and the next instant the scheduler must look
-- at (partial index: only requests with something still to check, so a sweep over a million
-- requests reads only the due ones).
ALTER TABLE sd_requests ADD COLUMN sla_policy_id BIGINT REFERENCES sla_policies(id);
ALTER TABLE sd_requests ADD COLUMN sla_events TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sd_requests ADD COLUMN sla_json TEXT;
ALTER TABLE sd_requests ADD COLUMN sla_state TEXT;
ALTER TABLE sd_requests ADD COLUMN sla_raised TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sd_requests ADD COLUMN sla_next_check TEXT COLLATE "C";
CREATE INDEX sd_requests_sla_next_idx ON sd_requests (sla_next_check) WHERE sla_next_check IS NOT NULL;
CREATE INDEX sd_requests_sla_state_due_idx ON sd_requests (sla_state, due_at, id);
