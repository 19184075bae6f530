-- $call_id: a call of the review queue (migration 0026) written again from its calls,
-- inspections and alerts rows as they stand now; nothing while its call has not landed. A
-- lookup by key: each reads one row of each table through its primary key.
INSERT OR REPLACE INTO queue_calls
SELECT *
FROM queue_call_rows
WHERE call_id = $call_id;
