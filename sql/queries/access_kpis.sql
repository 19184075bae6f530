-- Headline numbers of the cockpit, within the user's scope and the page's filters.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro.
WITH filtered AS (
    -- Only the columns used below: the set is read twice, and a CTE read twice is kept whole.
    SELECT call_id, inspected, score, max_score, fatal, defects, review_state, human_reviewed
    FROM scoped_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    )
),

scoped_alerts AS (
    -- The filtered calls' alerts, through those calls (no second read of the calls in scope).
    SELECT a.call_id
    FROM alerts_of_calls('filtered') AS a
),

final AS (
    SELECT
        count(*) AS calls_landed,
        count(*) FILTER (WHERE inspected) AS calls_inspected,
        avg(score) AS avg_score,
        avg(max_score) AS avg_max_score,
        -- Shares of scored calls: a call not scored (score NULL) is neither.
        count(*) FILTER (WHERE inspected AND score IS NULL) AS calls_not_scored,
        avg(CASE WHEN NOT inspected OR score IS NULL THEN NULL WHEN len(defects) = 0 AND NOT fatal THEN 1.0 ELSE 0.0 END) AS pass_rate,
        avg(CASE WHEN NOT inspected OR score IS NULL THEN NULL WHEN len(defects) > 0 OR fatal THEN 1.0 ELSE 0.0 END) AS defect_share,
        count(*) FILTER (WHERE review_state IN ('mandatory_review', 'sample_review') AND NOT human_reviewed) AS review_queue,
        count(*) FILTER (WHERE review_state = 'mandatory_review' AND NOT human_reviewed) AS mandatory_waiting,
        count(*) FILTER (WHERE human_reviewed) AS human_reviewed
    FROM filtered
)

SELECT
    f.calls_landed,
    f.calls_inspected,
    CASE WHEN f.calls_landed > 0 THEN f.calls_inspected / f.calls_landed END AS coverage,
    f.avg_score,
    f.avg_max_score,
    f.calls_not_scored,
    f.pass_rate,
    f.defect_share,
    f.review_queue,
    f.mandatory_waiting,
    f.human_reviewed,
    (SELECT count(*) FROM scoped_alerts) AS alerts,
    (SELECT count(DISTINCT call_id) FROM scoped_alerts) AS calls_with_alerts,
    -- Dead letters of calls in scope; those of unknown calls only for an unscoped user (administrator).
    (SELECT count(*) FROM scoped_dead_letters($scope_centre, $scope_team, $date_from, $date_to)) AS dead_letters
FROM final AS f;
