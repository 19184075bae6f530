-- One row per local day x centre x current department x suggested category: the counts behind the
-- routing page's headline figures, departments and routing agreement, for pages not scoped to a
-- team. Kept by the sink in the same transaction as the order rows
-- (sql/internal/rollup_shift_work_orders.sql) and derived again from them when the routing rules
-- change (rebuild_work_order_rollups.sql). Read by access_routing_kpis_rollup,
-- access_routing_departments_rollup and access_routing_agreement_rollup (warehouse/rollups.py picks
-- them).
CREATE TABLE work_order_days (
    -- The order's created_at as a local calendar day in the reporting time zone (Asia/Shanghai).
    -- Keys are never NULL: '' stands for no centre (an order whose call has not landed), no
    -- department or no suggested category; readers turn '' back into NULL. Rows whose orders all
    -- moved away stay with zero counts.
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    suggested_category VARCHAR NOT NULL,
    work_orders BIGINT NOT NULL,
    open BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    -- Closed after due_at. Open late orders depend on the time of reading: readers count them from
    -- work_order_state.
    closed_overdue BIGINT NOT NULL,
    -- due_at known: "overdue" is true or false.
    with_due BIGINT NOT NULL,
    -- Assigned more than once, or returned.
    rerouted BIGINT NOT NULL,
    -- Assigned or returned at all.
    assigned BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    -- Rated satisfied or basically satisfied.
    satisfied BIGINT NOT NULL,
    -- Routing agreement, judged with the routing rules as they stood when the order was rolled up:
    --   dispatched            first_department known
    --   dispatched_suggested  ... and a suggested department
    --   first_agreed          ... which is where it was first sent
    --   final_judged          ... with a current department too
    --   final_agreed          ... whose current department is the suggested one
    --   dispatched_rerouted   dispatched, and its route has more than one stop
    dispatched BIGINT NOT NULL,
    dispatched_suggested BIGINT NOT NULL,
    first_agreed BIGINT NOT NULL,
    final_judged BIGINT NOT NULL,
    final_agreed BIGINT NOT NULL,
    dispatched_rerouted BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, department, suggested_category)
);
