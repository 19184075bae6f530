-- The review queue's row of every call (queue_call_rows_of with no list; queue_member says which
-- belong in queue_calls): used by sql/internal/fill_queue_calls.sql after a bulk load that bypassed
-- the sink (backfill, benchmark).
CREATE OR REPLACE VIEW queue_call_rows AS
SELECT * FROM queue_call_rows_of(NULL::VARCHAR[]);
