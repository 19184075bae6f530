-- The call list. The caller's number is masked here: the list never carries a full number.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro (migrations 0013, 0014, 0020, 0023),
-- older alerted ones from scoped_alerted_calls (0023).
-- $since (a day, NULL = no bound) lets access.run_scoped look at the newest calls first: only calls
-- started on or after it, plus (review queue only) older mandatory calls with alerts, which sort
-- before the window's mandatory calls without. The caller widens $since until the list is provably
-- the same as without it (access.read_newest_first); left NULL, this is the plain query.
-- $window_only (the caller's probes) leaves the older alerted calls out.
WITH alert_counts AS (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    GROUP BY call_id
),

recent AS (
    SELECT *
    FROM scoped_calls(
        $scope_centre, $scope_team,
        -- greatest() skips a NULL: the later of the page's first day and $since.
        greatest($date_from::DATE, $since::DATE), $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    )
),

-- Older mandatory calls with alerts: the review queue puts them before mandatory calls without,
-- whatever their age. Only mandatory ones: the caller asks for this list once the window holds
-- at least $limit mandatory calls, which all sort before any sampled call, alerted or not.
older_alerted AS (
    SELECT o.*
    FROM scoped_alerted_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    ) AS o
    WHERE $queue_first::BOOLEAN
      AND $since::DATE IS NOT NULL
      -- A probe that only counts what the window holds leaves them out (access.read_newest_first).
      AND NOT coalesce($window_only::BOOLEAN, false)
      AND o.started_at < $since::DATE::TIMESTAMPTZ
      AND o.review_state = 'mandatory_review'
),

candidates AS (
    SELECT * FROM recent
    UNION ALL
    SELECT * FROM older_alerted
)

SELECT
    f.call_id,
    f.started_at,
    f.centre_id,
    f.team_id,
    f.agent_id,
    masked_number(f.caller_number) AS caller_masked,
    f.duration_s,
    f.transcript_final,
    f.inspected,
    f.score,
    f.max_score,
    f.fatal,
    coalesce(len(f.defects), 0) AS defects,
    f.category,
    f.review_state,
    f.human_reviewed,
    coalesce(a.alerts, 0) AS alerts
FROM candidates AS f
LEFT JOIN alert_counts AS a USING (call_id)
ORDER BY
    -- The review queue first when asked: mandatory before sampled, alerts before none, oldest first.
    CASE WHEN $queue_first::BOOLEAN THEN (f.review_state = 'mandatory_review')::INTEGER ELSE 0 END DESC,
    CASE WHEN $queue_first::BOOLEAN THEN coalesce(a.alerts, 0) ELSE 0 END DESC,
    f.started_at DESC,
    f.call_id
LIMIT coalesce($limit::INTEGER, 500);
