-- The agent-days (local day, centre, team, agent) whose call rollups a sink batch changes: those
-- its calls count under after the batch (rollup_stage_keys) and, for a call inspected before,
-- under its stored calls row (rollup_stage_stored_keys). The sink deletes these keys from every
-- call rollup and inserts their definition over the keys' rows (refresh_call_rollups). A
-- temporary table of the writer's connection, emptied inside the batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_rollup_keys (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL
);
