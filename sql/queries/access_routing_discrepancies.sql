-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- Work orders that disagree with the call (work_order_discrepancies): a complaint
-- recorded under a weaker type, or a demand the orders leave out, with the caller's words.
-- A finding belongs to the scope of its call (both relations apply it); $date_from/$date_to filter
-- on when the call started.
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
FROM work_order_discrepancies_in_scope($scope_centre, $scope_team) AS d
INNER JOIN calls_in_scope($scope_centre, $scope_team) AS c USING (call_id)
WHERE ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
ORDER BY c.started_at DESC, d.call_id, d.discrepancy
LIMIT coalesce($limit::INTEGER, 200);
