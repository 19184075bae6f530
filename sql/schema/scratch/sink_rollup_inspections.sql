-- The sink's scratch for one rollup step: the inspections being added to or taken from agent_days,
-- call_days and score_days, with the calls row's attribution (day, centre, team, agent) as it stood
-- when staged (rollup_stage_call_inspections.sql), so every day rollup shifts from here and calls
-- is read once per step. A temporary table of the writer's connection, emptied inside the
-- transaction.
CREATE OR REPLACE TEMP TABLE sink_rollup_inspections (
    call_id VARCHAR NOT NULL,
    score DOUBLE,
    fatal BOOLEAN,
    max_score DOUBLE,
    defects VARCHAR[],
    category VARCHAR,
    review_state VARCHAR,
    day DATE,
    centre_id VARCHAR,
    team_id VARCHAR,
    agent_id VARCHAR,
    caller_sentiment VARCHAR
);
