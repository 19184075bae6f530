-- The call list. The caller's number is masked here: the list never carries a full number.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro, their columns from call_list_of,
-- their alert counts from with_alert_counts (the alerts read through the listed calls).
-- $since (a day, NULL = no bound) lets access.read_newest_first look at the newest calls first:
-- only calls started on or after it. The caller widens $since until the list is provably the
-- same as without it; left NULL, this is the plain query. With $queue_first the caller reads the
-- queue's calls from their own table first (access_review_queue) and asks this query newest
-- first for the rest, or, when that cannot complete the list, for the whole window.
WITH recent AS (
    SELECT *
    FROM scoped_calls(
        $scope_centre, $scope_team,
        -- greatest() skips a NULL: the later of the page's first day and $since.
        greatest($date_from::DATE, $since::DATE), $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    )
),

listed AS (
    SELECT *
    FROM call_list_of('recent')
)

-- Each with its alert count (with_alert_counts: the alerts read through the listed calls).
SELECT f.*
FROM with_alert_counts('listed') AS f
ORDER BY
    -- The review queue first when asked: mandatory before sampled, alerts before none, then newest
    -- first; calls not inspected yet (no review state: NULL sorts last) come after every inspected one.
    CASE WHEN $queue_first::BOOLEAN THEN (f.review_state = 'mandatory_review')::INTEGER ELSE 0 END DESC,
    CASE WHEN $queue_first::BOOLEAN THEN f.alerts ELSE 0 END DESC,
    f.started_at DESC,
    f.call_id
LIMIT coalesce($limit::INTEGER, 500);
