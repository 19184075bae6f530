-- access_kpis served from the call_days rollup: the same columns and values,
-- for pages whose filters the rollup has. warehouse/rollups.py picks it instead of access_kpis
-- only when $category, $score_min, $score_max, $review_state, $human_review and $district are
-- NULL: then every call in scope and window counts, and the inspected calls' figures are sums
-- over call_days. The calls a human reviewed ($reviewed, from the review store) leave the review
-- queue: they are looked up by id (none when the list is empty) and taken off its counts.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- $date_from, $date_to, $centre, $team, $agent are the page's filters; NULL means "any".
-- Calls landed (inspected or not) and alerts come from calls itself: one scan of its narrow
-- columns, no join with inspections.
WITH rolled AS (
    SELECT
        sum(inspected)::BIGINT AS inspected,
        sum(scored) AS scored,
        sum(score_sum) AS score_sum,
        sum(max_scored) AS max_scored,
        sum(max_score_sum) AS max_score_sum,
        sum(passed) AS passed,
        sum(defective) AS defective,
        sum(review_queue)::BIGINT AS review_queue,
        sum(mandatory_review)::BIGINT AS mandatory_review
    FROM scoped_call_days($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent)
),

filtered AS (
    -- The calls in scope and window, as scoped_calls selects them (no inspection filter applies).
    SELECT c.call_id
    FROM scoped_landed_calls($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent) AS c
),

landed AS (
    SELECT count(*) AS calls_landed FROM filtered
),

scoped_alerts AS (
    -- The alerted calls in scope and window with their alert counts, from the review queue's
    -- table (scoped_queue_calls: every landed call with an alert has a row there).
    SELECT q.alerts
    FROM scoped_queue_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL
    ) AS q
    WHERE q.alerts > 0
),

-- The reviewed calls among them.
reviewed_calls AS (
    SELECT call_id
    FROM (SELECT DISTINCT unnest(coalesce($reviewed::VARCHAR[], []::VARCHAR[])) AS call_id) AS r
    INNER JOIN filtered USING (call_id)
),

-- Each with its inspection's review state (NULL: not inspected), read through those calls.
reviewed_in_scope AS (
    SELECT i.review_state
    FROM reviewed_calls AS r
    LEFT JOIN (
        SELECT call_id, review_state
        FROM inspections_of_calls('reviewed_calls')
        -- As scoped_calls: inspections of the window's calls were written after it began.
        WHERE $date_from::DATE IS NULL OR inspected_at >= ($date_from::DATE - 1)::TIMESTAMPTZ
    ) AS i USING (call_id)
),

reviewed AS (
    SELECT
        count(*) AS human_reviewed,
        count(*) FILTER (WHERE review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
        count(*) FILTER (WHERE review_state = 'mandatory_review') AS mandatory_review
    FROM reviewed_in_scope
)

SELECT
    l.calls_landed,
    coalesce(r.inspected, 0) AS calls_inspected,
    CASE WHEN l.calls_landed > 0 THEN coalesce(r.inspected, 0) / l.calls_landed END AS coverage,
    CASE WHEN r.scored > 0 THEN r.score_sum / r.scored END AS avg_score,
    CASE WHEN r.max_scored > 0 THEN r.max_score_sum / r.max_scored END AS avg_max_score,
    -- Shares of scored calls: a call not scored (score NULL) is neither passed nor defective.
    coalesce(r.inspected - r.scored, 0) AS calls_not_scored,
    CASE WHEN r.scored > 0 THEN r.passed / r.scored END AS pass_rate,
    CASE WHEN r.scored > 0 THEN r.defective / r.scored END AS defect_share,
    coalesce(r.review_queue, 0) - h.review_queue AS review_queue,
    coalesce(r.mandatory_review, 0) - h.mandatory_review AS mandatory_waiting,
    h.human_reviewed,
    (SELECT coalesce(sum(alerts), 0)::BIGINT FROM scoped_alerts) AS alerts,
    (SELECT count(*) FROM scoped_alerts) AS calls_with_alerts,
    -- Dead letters of calls in scope; those of unknown calls only for an unscoped user (administrator).
    (SELECT count(*) FROM scoped_dead_letters($scope_centre, $scope_team, $date_from, $date_to)) AS dead_letters
FROM landed AS l, rolled AS r, reviewed AS h;
