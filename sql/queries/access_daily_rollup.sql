-- access_daily served from the call_days rollup: the same columns and values,
-- for pages whose filters the rollup has. warehouse/rollups.py picks it instead of access_daily
-- only when $category, $score_min, $score_max, $review_state, $human_review and $district are
-- NULL: then every call in scope and window counts, and the inspected calls' figures are sums
-- over call_days (whose day is the reporting time zone's, the readers' session time zone).
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- $date_from, $date_to, $centre, $team, $agent are the page's filters; NULL means "any".
-- Calls landed (inspected or not) come from calls itself, counted per quarter hour of UTC first
-- (integer arithmetic on every row) and only those buckets cast to the session's local day:
-- every time zone's offset is a whole number of quarter hours, so a bucket lies in one local day.
WITH landed AS (
    SELECT to_timestamp(bucket * 900)::DATE AS day, sum(n)::BIGINT AS calls
    FROM (
        SELECT epoch_us(c.started_at) // 900000000 AS bucket, count(*) AS n
        FROM scoped_landed_calls($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent) AS c
        GROUP BY bucket
    )
    GROUP BY day
),

rolled AS (
    SELECT
        day,
        sum(inspected)::BIGINT AS inspected,
        sum(scored) AS scored,
        sum(score_sum) AS score_sum,
        sum(defective) AS defective
    FROM scoped_call_days($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent)
    GROUP BY day
)

SELECT
    l.day,
    l.calls,
    coalesce(r.inspected, 0) AS inspected,
    CASE WHEN r.scored > 0 THEN r.score_sum / r.scored END AS avg_score,
    CASE WHEN r.scored > 0 THEN r.defective / r.scored END AS defect_share
FROM landed AS l
LEFT JOIN rolled AS r USING (day)
ORDER BY l.day;
