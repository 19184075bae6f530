-- One row per category: the department the flat routing rules send its matters to, used where the
-- inspection's catalogue made no choice (suggested_department_of). Reference data loaded by the
-- writer from warehouse/reference.yaml; a change re-derives the routing rollups
-- (warehouse/reference.py). Read by work_order_suggestions, work_order_rollup_rows and the filter
-- options.
CREATE TABLE routing_rules (
    category VARCHAR PRIMARY KEY,
    -- "{district}" in it is replaced by the matter's district (suggested_department_of).
    department VARCHAR NOT NULL
);
