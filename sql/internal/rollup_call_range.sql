-- The first and last call id and start (microseconds since the epoch) of the calls of the agent-days in sink_rollup_keys (NULL
-- where they have none). The calls are found by a range on their stored instant, so row groups
-- outside the keys' days are skipped; the ids and instants bound the staging of their inspections
-- and checks (rollup_stage_inspected, rollup_stage_checked), whose scans then skip row groups too
-- where ids grow with time, as a recorder's usually do, and join only those days' calls.
SELECT min(call_id) AS first_call, max(call_id) AS last_call, 
    epoch_us(min(started_at)) AS first_at_us, epoch_us(max(started_at)) AS last_at_us
FROM calls
WHERE started_at >= (SELECT min(day) - 1 FROM sink_rollup_keys)::TIMESTAMPTZ
  AND started_at < (SELECT max(day) + 2 FROM sink_rollup_keys)::TIMESTAMPTZ
  AND (timezone('Asia/Shanghai', started_at)::DATE, centre_id, team_id, agent_id) IN (
      SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys
  );
