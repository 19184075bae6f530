-- After a bulk load that bypassed the sink (benchmark, backfill): the review queue's calls
-- (queue_calls) from what is stored.
DELETE FROM queue_calls;
INSERT INTO queue_calls
SELECT *
FROM queue_call_rows
WHERE queue_member;
