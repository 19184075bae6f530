-- One row per work order: its state derived from its events (work_orders_derived), plus its call's
-- scope, the inspection's category and routing choice, and its hand-offs
-- (work_orders_stored_derived_of). Written by the sink, which derives an order again when its
-- events, its call or its inspection land (warehouse/workorders.py). Read through the view
-- work_orders, and directly by the routing page's order-row queries (access_routing_*), the call
-- page and the hotspots (access_hotspot_calls).
-- Rows lie grouped by centre_id, team_id, created_at (a full rebuild and each compaction insert
-- them so; the sink appends): a scoped routing page's window then skips other row groups.
CREATE TABLE work_order_state (
    work_order_id VARCHAR,
    call_id VARCHAR,
    created_at TIMESTAMPTZ,
    category VARCHAR,
    recorded_type VARCHAR,
    district VARCHAR,
    address VARCHAR,
    first_dispatched_at TIMESTAMPTZ,
    first_department VARCHAR,
    -- NULL while the order has been returned (退单) and not dispatched again, or never dispatched.
    current_department VARCHAR,
    -- Dispatches plus transfers.
    assignments BIGINT,
    transfers BIGINT,
    returns BIGINT,
    reopens BIGINT,
    extensions BIGINT,
    -- The departments it was dispatched or transferred to, in order.
    route VARCHAR[],
    -- The recorded due time, else created_at + the SLA hours of its recorded type.
    due_at TIMESTAMPTZ,
    first_replied_at TIMESTAMPTZ,
    -- Its last close comes after its last reopen; closed_at is then that close.
    is_closed BOOLEAN,
    closed_at TIMESTAMPTZ,
    satisfaction VARCHAR,
    -- As of the time the row was derived: stale for open orders. Readers use the view work_orders
    -- or the macro work_order_overdue, which judge it as of now.
    overdue BOOLEAN,
    -- Hours from created_at to the first dispatch (NULL before it) and to the close (NULL while
    -- open).
    hours_to_dispatch DOUBLE,
    hours_to_close DOUBLE,
    last_event_at TIMESTAMPTZ,
    events BIGINT,
    -- The scope of the order's call; NULL while the call has not landed or the order names none
    -- (shown to unscoped users only). Orders naming a call not yet landed wait in
    -- work_orders_awaiting_call.
    centre_id VARCHAR,
    team_id VARCHAR,
    -- The inspection's suggested category (what routing_rules is keyed by); suggested_category the
    -- catalogue's category where it made one, else that one; routing_department the catalogue's
    -- choice.
    inspected_category VARCHAR,
    suggested_category VARCHAR,
    routing_department VARCHAR,
    -- The order's transfers and returns, in the order they happened.
    handoffs STRUCT(kind VARCHAR, department VARCHAR, from_department VARCHAR)[]
);

-- The call page looks an order up by its call (call_id = $call_id): an index scan instead of every
-- row group. DuckDB cannot drop, rename or retype a column of an indexed table: drop this index
-- first and create it again afterwards.
CREATE INDEX work_order_state_call_id ON work_order_state(call_id);
