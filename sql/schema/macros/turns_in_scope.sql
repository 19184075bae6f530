-- The transcript turns of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO turns_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM turns AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
