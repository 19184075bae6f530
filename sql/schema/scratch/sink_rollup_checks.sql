-- The sink's scratch for one rollup step: the stored check results being added to or taken from
-- agent_item_days (rollup_stage_call_checks.sql, rollup_shift_agent_items.sql). A temporary table
-- of the writer's connection, filled and emptied inside one batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_rollup_checks (
    call_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR,
    status VARCHAR NOT NULL,
    fatal BOOLEAN NOT NULL
);
