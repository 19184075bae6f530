-- How often each scorecard item failed, most frequent first.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- Two ways to the same counts, one of which the planner drops (every condition on it is a bound
-- parameter): with no filter on the calls' own inspection (category, score, review state, human
-- review, district), from the per-day × agent × item rollup (agent_item_days:
-- days × agents × items rows, not one per check: a year at ten million calls is about a
-- million rows instead of a hundred million); otherwise from the check results of the filtered
-- calls (the scoped_calls table macro). The rollup's day is
-- the call's local day in the reporting time zone, the zone the reader's session uses for the
-- macro's date window. fatal says whether the item is a fatal one (a check result's fatal flag
-- belongs to its item: set on passed and failed results alike).
WITH by_rollup AS (
    SELECT
        d.item_id,
        any_value(d.name) AS name,
        bool_or(d.fatal_checks > 0) AS fatal,
        sum(d.failed)::BIGINT AS failed
    FROM agent_item_days_in_scope($scope_centre, $scope_team) AS d
    WHERE $category::VARCHAR IS NULL
      AND $score_min::DOUBLE IS NULL
      AND $score_max::DOUBLE IS NULL
      AND $review_state::VARCHAR IS NULL
      AND $human_review::VARCHAR IS NULL
      AND $district::VARCHAR IS NULL
      AND ($date_from::DATE IS NULL OR d.day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR d.day <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR d.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR d.team_id = $team::VARCHAR)
      AND ($agent::VARCHAR IS NULL OR d.agent_id = $agent::VARCHAR)
      AND d.failed > 0
    GROUP BY d.item_id
),

filtered AS (
    SELECT call_id
    FROM scoped_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    )
),

by_calls AS (
    -- The filtered calls' check results, through those calls (no second read of the calls in scope).
    SELECT r.item_id, any_value(r.name) AS name, bool_or(r.fatal) AS fatal, count(*) AS failed
    FROM check_results_of_calls('filtered') AS r
    WHERE r.status = 'failed'
      AND NOT (
          $category::VARCHAR IS NULL
          AND $score_min::DOUBLE IS NULL
          AND $score_max::DOUBLE IS NULL
          AND $review_state::VARCHAR IS NULL
          AND $human_review::VARCHAR IS NULL
          AND $district::VARCHAR IS NULL
      )
    GROUP BY r.item_id
)

SELECT item_id, name, fatal, failed
FROM by_rollup
UNION ALL
SELECT item_id, name, fatal, failed
FROM by_calls
ORDER BY failed DESC, item_id;
