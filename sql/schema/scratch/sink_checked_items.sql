-- checked_items' rows of the agent-days in sink_rollup_keys, as they stand after the batch's
-- writes (rollup_stage_checked): what refresh_call_rollups gives agent_item_days_of and
-- coaching_examples_of. A temporary table of the writer's connection, created from the view so the
-- two cannot drift; emptied inside the batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_checked_items AS FROM checked_items LIMIT 0;
