-- The alerts of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO alerts_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM alerts AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
