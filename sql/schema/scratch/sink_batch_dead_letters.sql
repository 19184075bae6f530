-- The dead letters of one sink batch, staged for batch_insert_dead_letters.sql, which makes their
-- dl_key; seq is the position in the batch (the first copy of a dead letter wins). A temporary
-- table of the writer's connection (never stored in the file), created from its target so the two
-- cannot drift; empty outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_dead_letters AS SELECT 0::INTEGER AS seq, * EXCLUDE (dl_key) FROM dead_letters LIMIT 0;
