-- One row per local day x centre x hand-off (from -> to, kind) x the order's number of hand-offs:
-- the hops and the orders that made them (an order counts once per pair). Who passes work to whom,
-- and which orders bounced at least N times, are sums over these rows. Kept by the sink in the same
-- transaction as the order rows (sql/internal/rollup_shift_work_orders.sql) and derived again from
-- them when the routing rules change (rebuild_work_order_rollups.sql). Read by
-- access_routing_bounces_rollup.
CREATE TABLE work_order_hop_days (
    -- The order's created_at as a local calendar day in the reporting time zone (Asia/Shanghai).
    -- Keys are never NULL: '' stands for no centre (an order whose call has not landed), no
    -- department or no suggested category; readers turn '' back into NULL. Rows whose orders all
    -- moved away stay with zero counts.
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    from_department VARCHAR NOT NULL,
    -- A return goes to '热线中心（退单）', the centre.
    to_department VARCHAR NOT NULL,
    -- transferred | returned
    kind VARCHAR NOT NULL,
    -- How many hand-offs the order had in all.
    order_hops INTEGER NOT NULL,
    hops BIGINT NOT NULL,
    work_orders BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, from_department, to_department, kind, order_hops)
);
