-- Stage checked_items' rows of the agent-days in sink_rollup_keys; the ids and starts of their
-- first and last call (rollup_call_range) bound the scans of check_results and calls.
INSERT INTO sink_checked_items
SELECT *
FROM checked_items
WHERE call_id BETWEEN $first_call AND $last_call
  AND started_at BETWEEN make_timestamptz($first_at_us::BIGINT) AND make_timestamptz($last_at_us::BIGINT)
  AND (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
