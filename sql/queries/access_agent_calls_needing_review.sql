-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Calls a team lead should listen to: sent to review by the inspection, fatal, or with an item
-- waiting for a human (needs_review). Newest first.
WITH flagged_items AS (
    SELECT call_id, list(item_id ORDER BY item_no) AS items_needing_review
    FROM check_results
    WHERE status = 'needs_review'
    GROUP BY call_id
)

SELECT
    c.call_id,
    c.started_at,
    c.team_id,
    c.agent_id,
    i.score,
    i.fatal,
    i.review_state,
    i.defects,
    coalesce(f.items_needing_review, []) AS items_needing_review
FROM calls AS c
INNER JOIN inspections AS i USING (call_id)
LEFT JOIN flagged_items AS f USING (call_id)
WHERE (i.review_state <> 'auto_pass' OR i.fatal OR f.call_id IS NOT NULL)
  -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
  AND ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
  AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
  AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
  AND ($agent::VARCHAR IS NULL OR c.agent_id = $agent::VARCHAR)
ORDER BY c.started_at DESC, c.call_id
LIMIT coalesce($limit::INTEGER, 200);
