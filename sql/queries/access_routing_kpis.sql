-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call (stored on the order row, migration 0024); orders linked to no landed call are
-- shown to unscoped users (administrators) only.
-- Headline routing figures for work orders created in the period.
WITH scoped AS (
    SELECT w.*
    FROM work_orders AS w
    WHERE ($scope_centre::VARCHAR IS NULL OR w.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR w.team_id = $scope_team::VARCHAR)
      -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
)

SELECT
    count(*) AS work_orders,
    count(*) FILTER (WHERE NOT is_closed) AS open,
    count(*) FILTER (WHERE overdue) AS overdue,
    avg(CASE WHEN overdue THEN 1.0 WHEN overdue IS NOT NULL THEN 0.0 END) AS overdue_share,
    avg(CASE WHEN assignments > 1 OR returns > 0 THEN 1.0 WHEN assignments > 0 THEN 0.0 END) AS rerouted_share,
    count(*) FILTER (WHERE reopens > 0) AS reopened,
    median(hours_to_dispatch) AS median_hours_to_dispatch,
    quantile_cont(hours_to_dispatch, 0.9) AS p90_hours_to_dispatch,
    median(hours_to_close) AS median_hours_to_close,
    avg(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END)
        AS satisfied_share
FROM scoped;
