-- The demands (诉求) of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO demands_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM demands AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
