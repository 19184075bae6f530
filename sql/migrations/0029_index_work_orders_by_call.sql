-- The call page lists the work orders of one call (access_call_work_order_events and friends).
-- The stored order rows are in no call order (the sink appends an order whenever it is derived
-- again), so the zone maps cannot skip anything: looking one call up read 83 of 84 row groups,
-- 100-270 ms at ten million orders. An ART index on call_id turns the lookup into an index scan
-- (~10 ms); DuckDB uses it for "call_id = $call_id" once the parameter is bound.
-- The sink's refresh (delete the touched orders, insert them again) keeps it up to date; building
-- it on an existing warehouse of ten million orders takes seconds.
-- Note for later migrations: DuckDB refuses to drop, rename or retype a column of a table with
-- an index (adding one is fine): drop this index first and create it again afterwards.
CREATE INDEX work_order_state_call_id ON work_order_state (call_id);
