-- $n stored work orders spread over the whole table (the same ones each run of a warehouse).
SELECT work_order_id
FROM work_order_state
ORDER BY hash(work_order_id)
LIMIT $n;
