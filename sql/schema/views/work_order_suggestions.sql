-- One row per work order (work_orders' columns) with the department the routing suggests
-- (suggested_department_of) and where that came from: suggestion_source 'catalogue' (the
-- inspection's 事项—职责—属地 choice), 'routing_rules', or NULL when neither gives one. Read by the
-- routing page's agreement (access_routing_agreement) and the call page (access_call_work_orders).
CREATE OR REPLACE VIEW work_order_suggestions AS
SELECT
    w.*,
    suggested_department_of(w.routing_department, r.department, w.district) AS suggested_department,
    CASE
        WHEN w.routing_department IS NOT NULL THEN 'catalogue'
        WHEN r.department IS NOT NULL THEN 'routing_rules'
    END AS suggestion_source
FROM work_orders AS w
LEFT JOIN routing_rules AS r ON r.category = w.inspected_category;
