-- The scorecard results of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO check_results_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM check_results AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
