-- Lifecycle events of work orders (工单) from the centre's own work-order system, as they arrive on
-- workorders.events.v1 or from a CSV import. Keyed by the source's event id: a replay or a second
-- import lands on the same rows. Written by the sink (upsert_work_order_events.sql); every order is
-- derived from its events (work_orders_derived, stored in work_order_state). Read directly by the
-- call page's order history (access_call_work_order_events) and exports.
CREATE TABLE work_order_events (
    event_id VARCHAR PRIMARY KEY,
    work_order_id VARCHAR NOT NULL,
    call_id VARCHAR,
    -- created | dispatched | transferred | returned | extended | replied | closed | reopened |
    -- callback
    kind VARCHAR NOT NULL,
    -- Where the order goes (dispatched, transferred) or the department acting (returned, replied);
    -- from_department the one handing it on.
    department VARCHAR,
    from_department VARCHAR,
    category VARCHAR,
    -- The type the centre recorded the order under: 投诉 | 举报 | 求助 | 建议 | 咨询 | 表扬.
    recorded_type VARCHAR,
    -- Where the matter is (事发地址), as the work-order system records it.
    district VARCHAR,
    address VARCHAR,
    due_at TIMESTAMPTZ,
    -- satisfied | basically_satisfied | dissatisfied (callback events).
    satisfaction VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    note VARCHAR,
    -- kafka | csv
    source VARCHAR NOT NULL
);

-- Lets the sink read one order's events when it derives it again. DuckDB cannot drop, rename or
-- retype a column of an indexed table: drop this index first and create it again afterwards.
CREATE INDEX work_order_events_work_order_id ON work_order_events(work_order_id);
