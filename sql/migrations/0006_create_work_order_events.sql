-- Lifecycle events of work orders (工单) from the centre's own work-order system, as they arrive
-- on workorders.events.v1 or from a CSV import. Keyed by the source's event id: a replay or a
-- second import of the same file lands on the same rows.
CREATE TABLE work_order_events (
    event_id VARCHAR PRIMARY KEY,
    work_order_id VARCHAR NOT NULL,
    call_id VARCHAR,
    -- created | dispatched | transferred | returned | extended | replied | closed | reopened | callback
    kind VARCHAR NOT NULL,
    department VARCHAR,
    from_department VARCHAR,
    category VARCHAR,
    recorded_type VARCHAR,
    district VARCHAR,
    address VARCHAR,
    due_at TIMESTAMPTZ,
    satisfaction VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    note VARCHAR,
    -- kafka | csv
    source VARCHAR NOT NULL
);
