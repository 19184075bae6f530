-- One row per local day x centre x bucket of hours from creation to first dispatch: how many orders
-- (hours_bucket's log scale; medians and percentiles are read with bucket_quantile). Kept by the
-- sink in the same transaction as the order rows (sql/internal/rollup_shift_work_orders.sql) and
-- derived again from them when the routing rules change (rebuild_work_order_rollups.sql). Read by
-- access_routing_kpis_rollup.
CREATE TABLE work_order_dispatch_hours (
    -- The order's created_at as a local calendar day in the reporting time zone (Asia/Shanghai).
    -- Keys are never NULL: '' stands for no centre (an order whose call has not landed), no
    -- department or no suggested category; readers turn '' back into NULL. Rows whose orders all
    -- moved away stay with zero counts.
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    bucket INTEGER NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, bucket)
);
