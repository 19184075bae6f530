-- The department the routing suggests for an order: the catalogue's choice where the inspection
-- made one, else the routing rule for its category with "{district}" filled from the order's
-- district (NULL when the rule needs a district the order lacks). Used by work_order_suggestions
-- and work_order_rollup_rows, so the pages and the rollups judge agreement alike.
CREATE OR REPLACE MACRO suggested_department_of(routing_department, rule_department, district) AS
    CASE
        WHEN routing_department IS NOT NULL THEN routing_department
        WHEN rule_department IS NULL THEN NULL
        WHEN contains(rule_department, '{district}') AND district IS NULL THEN NULL
        ELSE replace(rule_department, '{district}', coalesce(district, ''))
    END;
