-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- Work orders that disagree with the call (work_order_discrepancies): a complaint
-- recorded under a weaker type, or a demand the orders leave out, with the caller's words.
-- A finding belongs to the scope of its call; $date_from/$date_to filter on when the call started.
SELECT
    d.discrepancy,
    d.call_id,
    d.work_order_id,
    c.started_at,
    c.agent_id,
    d.recorded_type,
    d.recorded_category,
    d.found_type,
    d.found_category,
    d.quote,
    d.quote_start_s,
    d.detail
FROM work_order_discrepancies AS d
INNER JOIN calls AS c USING (call_id)
WHERE ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
  AND ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
ORDER BY c.started_at DESC, d.call_id, d.discrepancy
LIMIT coalesce($limit::INTEGER, 200);
