-- The calls rows of one sink batch, staged from Arrow and upserted into calls by one statement
-- (sql/internal/batch_upsert_calls.sql); the batch's other statements find its calls here.
-- transcript_final NULL: the batch writes only the call's metadata, no transcript. A temporary
-- table of the writer's connection (never stored in the file), created from its target so the two
-- cannot drift; empty outside a batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_batch_calls AS FROM calls LIMIT 0;
