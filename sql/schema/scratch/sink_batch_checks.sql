-- The batch's new check results, as far as the rollups and coaching examples read them
-- (rollup_add_batch_checks.sql, coaching_*.sql): their deltas come from here, not from
-- check_results. A temporary table of the writer's connection (never stored in the file), created
-- from its target so the two cannot drift; empty outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_checks AS SELECT call_id, item_id, name, status, fatal, reason, evidence FROM check_results LIMIT 0;
