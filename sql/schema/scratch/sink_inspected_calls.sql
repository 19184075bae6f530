-- inspected_calls' rows of the agent-days in sink_rollup_keys, as they stand after the batch's
-- writes (rollup_stage_inspected): what refresh_call_rollups gives call_days_of, agent_days_of
-- and score_days_of. A temporary table of the writer's connection, created from the view so the
-- two cannot drift; emptied inside the batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_inspected_calls AS FROM inspected_calls LIMIT 0;
