-- Repeated places in the user's scope ($scope_centre / $scope_team, bound by access.run_scoped; NULL =
-- unrestricted); the other parameters are the page's.
-- address_key (a hash) lets a page drill down to the calls without handling the address.
-- Places that several different callers reported in the period (at least $min_callers, default
-- 2): one matter affecting many people. Addresses are compared without spaces and punctuation.
-- The rows and counts are the hourly job's (hotspot_scoped_repeat_addresses), for the one scope.
WITH places AS (
    SELECT *
    FROM hotspot_address_rows($scope_centre, $scope_team, $date_from, $date_to)
)

SELECT * EXCLUDE (scope_centre, scope_team)
FROM hotspot_repeat_addresses_of('places', 'all', $min_callers)
ORDER BY callers DESC, calls DESC, last_call_at DESC, address_key
LIMIT coalesce($limit::INTEGER, 100);
