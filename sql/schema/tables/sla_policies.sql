-- One row per recorded type of work order (投诉, 咨询, ...; '其他' also serves orders recorded without a
-- type): the hours an order has to be closed in. Reference data loaded by the writer from
-- warehouse/reference.yaml. Read by work_orders_derived, which gives an order without its own due
-- time created_at + sla_hours.
CREATE TABLE sla_policies (
    recorded_type VARCHAR PRIMARY KEY,
    sla_hours DOUBLE NOT NULL
);
