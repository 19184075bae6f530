-- The work-order discrepancies (view work_order_discrepancies) of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO work_order_discrepancies_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM work_order_discrepancies AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
