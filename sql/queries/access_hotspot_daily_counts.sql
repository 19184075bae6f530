-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Demand volume per category × district × day (Beijing days), praise left out, with what makes
-- a series urgent: recorded complaints, negative callers and risk alerts. Input to the spike test.
-- The rows and counts are the hourly job's (hotspot_scoped_daily_counts), for the one scope.
WITH demand AS (
    SELECT *
    FROM hotspot_demand_rows($scope_centre, $scope_team, $date_from, $date_to)
)

SELECT * EXCLUDE (scope_centre, scope_team)
FROM hotspot_daily_counts_of('demand', 'all')
ORDER BY category, district, day;
