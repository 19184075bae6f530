-- Each demand (诉求) (demands row) of the calls in `calls`, with that call's other columns: `calls` names a
-- relation with one row per call_id that the page query has already read from the *_in_scope
-- relations (calls_in_scope, scoped_calls, ...), and the demands rows are scoped through it. Read
-- by access_hotspot_calls (the picked calls).
-- Not demands_in_scope: the query's calls are at hand, and that relation would scope the rows by a
-- second read of every call in scope (a SEMI JOIN to calls_in_scope: the overview's alerts took
-- 8 -> 30 ms, its rollup headline numbers 21 -> 57 ms at 1 M calls). A join, not a SEMI JOIN
-- beside the query's own join to its calls: a relation read twice is kept whole (the reports
-- page's calls needing review: 92 -> 143 ms).
CREATE OR REPLACE MACRO demands_of_calls(calls) AS TABLE
SELECT x.*, c.* EXCLUDE (call_id)
FROM demands AS x
INNER JOIN query_table(calls) AS c USING (call_id);
