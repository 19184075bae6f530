-- One row per work order: the department the routing suggests beside where the order went
-- (work_order_suggestions), with the inspection's catalogue rule, version and reason. No named
-- query reads it: for ad-hoc SQL.
CREATE OR REPLACE VIEW routing_suggestions AS
SELECT
    s.work_order_id,
    s.call_id,
    s.suggested_category,
    s.district,
    s.suggested_department,
    s.first_department,
    s.current_department,
    s.route,
    s.suggestion_source,
    i.routing_rule_id,
    i.routing_catalogue_version,
    i.routing_reason
FROM work_order_suggestions AS s
LEFT JOIN inspections AS i ON i.call_id = s.call_id;
