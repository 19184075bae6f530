-- The rows of `calls` (the name of a relation with call_id that a page query has already read
-- from the *_in_scope relations) with each call's alert count added (alerts, 0 where none): the
-- alerts scoped through those rows. Read by the call list (access_calls), which orders the queue
-- by it. Joined onto the rows rather than read as alerts_of_calls: the list's calls would then be
-- read twice, and a relation read twice is kept whole (the unscoped full-year list: 0.66 -> 1.0 s
-- at 1 M calls).
CREATE OR REPLACE MACRO with_alert_counts(calls) AS TABLE
SELECT c.*, coalesce(a.alerts, 0) AS alerts
FROM query_table(calls) AS c
LEFT JOIN (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    GROUP BY call_id
) AS a USING (call_id);
