-- Repeat callers in the user's scope ($scope_centre / $scope_team, bound by access.run_scoped; NULL =
-- unrestricted); the other parameters are the page's.
-- caller_key (a hash) lets a page drill down to the calls without handling the number.
-- Numbers that called at least $min_calls times (default 3) in the period: unresolved matters
-- or one person's campaign. The number is masked: this list goes to policy staff.
-- The rows and counts are the hourly job's (hotspot_scoped_repeat_callers), for the one scope.
WITH callers AS (
    SELECT *
    FROM hotspot_caller_rows($scope_centre, $scope_team, $date_from, $date_to)
)

SELECT * EXCLUDE (scope_centre, scope_team)
FROM hotspot_repeat_callers_of('callers', 'all', $min_calls)
ORDER BY calls DESC, last_call_at DESC, caller_key
LIMIT coalesce($limit::INTEGER, 100);
