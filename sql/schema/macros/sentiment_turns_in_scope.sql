-- The per-turn sentiment of the calls in scope. Scoped through their call (calls_in_scope).
CREATE OR REPLACE MACRO sentiment_turns_in_scope(scope_centre, scope_team) AS TABLE
SELECT x.*
FROM sentiment_turns AS x
SEMI JOIN calls_in_scope(scope_centre, scope_team) AS c USING (call_id);
