-- The inspections of one sink batch, staged from Arrow for batch_upsert_inspections.sql (and the
-- statements that drop the rows a new inspection replaces). A temporary table of the writer's
-- connection (never stored in the file), created from its target so the two cannot drift; empty
-- outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_inspections AS FROM inspections LIMIT 0;
