-- Repeat callers: numbers that called at least min_calls times (NULL: 3) among caller_rows (the
-- name of a relation of hotspot_caller_rows' rows), per scope as hotspot_daily_counts_of counts
-- them (per 'all' | 'centre' | 'team'; scope_centre, scope_team NULL = unrestricted), unranked:
-- the page (access_hotspot_repeat_callers) and the job (hotspot_scoped_repeat_callers) rank and
-- cut them. The number is masked (the list goes to policy staff); caller_key (a hash) lets a
-- page drill down to the calls without handling the number.
CREATE OR REPLACE MACRO hotspot_repeat_callers_of(caller_rows, per, min_calls) AS TABLE
-- The threshold filters the counted rows, not in HAVING: a macro's argument is no group key.
WITH counted AS (
    SELECT
        CASE WHEN per IN ('centre', 'team') THEN r.centre_id END AS scope_centre,
        CASE WHEN per = 'team' THEN r.team_id END AS scope_team,
        masked_number(r.caller_number) AS caller_masked,
        hash(r.caller_number) AS caller_key,
        count(*) AS calls,
        count(DISTINCT r.started_at::DATE) AS days,
        min(r.started_at) AS first_call_at,
        max(r.started_at) AS last_call_at,
        list(DISTINCT r.category) FILTER (WHERE r.category IS NOT NULL) AS categories,
        list(DISTINCT r.district) FILTER (WHERE r.district IS NOT NULL) AS districts,
        list(r.call_id ORDER BY r.started_at DESC)[1:10] AS recent_calls
    FROM query_table(caller_rows) AS r
    WHERE per = 'all' OR (r.centre_id IS NOT NULL AND (per = 'centre' OR r.team_id IS NOT NULL))
    GROUP BY 1, 2, r.caller_number
)

SELECT *
FROM counted
WHERE calls >= coalesce(min_calls::INTEGER, 3);
