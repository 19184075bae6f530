-- The alerts of one sink batch, staged from Arrow for batch_upsert_alerts.sql. A temporary table of
-- the writer's connection (never stored in the file), created from its target so the two cannot
-- drift; empty outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_alerts AS FROM alerts LIMIT 0;
