-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Calls a team lead should listen to: sent to review by the inspection, fatal, or with an item
-- waiting for a human (needs_review: such a call is always sent to mandatory review, see
-- inspection/scoring.py, and the inspection row lists its items, items_needing_review). Newest first.
-- $since (a day, NULL = no bound): only calls started on or after it, so access.run_scoped can
-- look at the newest days first and widen until the list cannot change (read_newest_first).
WITH windowed AS (
    -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
    SELECT call_id, started_at, team_id, agent_id
    FROM calls_in_scope($scope_centre, $scope_team) AS c
    WHERE ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($since::DATE IS NULL OR c.started_at >= $since::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
      AND ($agent::VARCHAR IS NULL OR c.agent_id = $agent::VARCHAR)
)

-- The window's calls with their inspections (inspections_of_calls: read through those calls).
SELECT
    i.call_id,
    i.started_at,
    i.team_id,
    i.agent_id,
    i.score,
    i.fatal,
    i.review_state,
    i.defects,
    coalesce(i.items_needing_review, []) AS items_needing_review
FROM inspections_of_calls('windowed') AS i
WHERE (i.review_state <> 'auto_pass' OR i.fatal OR len(i.items_needing_review) > 0)
  -- Inspections are written after their call starts: those before the window (less a day for
  -- clock skew) belong to older calls, and their row groups are skipped unread (as in scoped_calls).
  AND (greatest($date_from::DATE, $since::DATE) IS NULL
      OR i.inspected_at >= (greatest($date_from::DATE, $since::DATE) - 1)::TIMESTAMPTZ)
ORDER BY i.started_at DESC, i.call_id
LIMIT coalesce($limit::INTEGER, 200);
