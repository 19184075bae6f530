-- $call_ids: calls of the review queue (queue_calls) written again from their calls,
-- inspections and alerts rows as they stand now, in one statement (queue_call_rows_of); nothing for
-- a call that has not landed.
INSERT OR REPLACE INTO queue_calls
SELECT *
FROM queue_call_rows_of($call_ids::VARCHAR[]);
