-- Stored order rows in the order their orders were created. Every routing page reads a window of
-- created_at, but the rows lay in the order they were last derived (migration 0024's backfill
-- followed the events' order; the sink appends an order each time it derives it again), so the
-- zone maps of created_at skipped nothing: a 30-day window read all 84 row groups of ten million
-- orders, as many as a whole year. Rewritten once here in created_at order; from then on the
-- sink appends orders as they arrive, which is nearly that order (an order derived again later,
-- when it closes or is rated, goes to the end with its old created_at and only widens the last
-- row groups' ranges), and a full re-derivation inserts them sorted (insert_all_work_order_state).
-- The index of 0029 is dropped around the rewrite: maintaining it row by row would cost minutes.
DROP INDEX work_order_state_call_id;

CREATE TEMP TABLE work_order_state_sorted AS
SELECT * FROM work_order_state
ORDER BY created_at, work_order_id;

DELETE FROM work_order_state;

INSERT INTO work_order_state
SELECT * FROM work_order_state_sorted;

DROP TABLE work_order_state_sorted;

CREATE INDEX work_order_state_call_id ON work_order_state (call_id);
