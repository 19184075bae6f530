-- The work-order events of one sink batch (or one CSV import), staged from Arrow for
-- upsert_work_order_events.sql: binding them as a list parameter costs a Python-to-DuckDB
-- conversion per value, many times the insert itself. A temporary table of the writer's
-- connection (never stored in the file), created from its target so the two cannot drift; empty
-- outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_work_order_events AS FROM work_order_events LIMIT 0;
