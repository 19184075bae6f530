-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of its call (stored on the order row, work_order_state):
-- orders in scope are read through their *_in_scope relation (sql/schema/macros/); orders linked
-- to no landed call are shown to unscoped users (administrators) only.
-- Does the department the routing suggests (the inspection's catalogue choice, else the
-- routing rule for its category and the order's district: view work_order_suggestions) match
-- where the dispatcher first sent the order, and where it ended up? Per suggested category;
-- orders without a suggestion are counted but not judged.
WITH scoped AS (
    SELECT w.suggested_category, w.suggested_department, w.first_department, w.current_department, w.route
    FROM work_order_suggestions_in_scope($scope_centre, $scope_team) AS w
    -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
    WHERE ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND w.first_department IS NOT NULL
)

SELECT
    coalesce(suggested_category, '（无建议）') AS suggested_category,
    count(*) AS work_orders,
    count(suggested_department) AS with_suggestion,
    avg(CASE WHEN suggested_department IS NULL THEN NULL WHEN suggested_department = first_department THEN 1.0 ELSE 0.0 END)
        AS first_dispatch_agreement,
    avg(CASE WHEN suggested_department IS NULL OR current_department IS NULL THEN NULL
        WHEN suggested_department = current_department THEN 1.0 ELSE 0.0 END) AS final_agreement,
    avg(CASE WHEN len(route) > 1 THEN 1.0 ELSE 0.0 END) AS rerouted_share
FROM scoped
GROUP BY ALL
ORDER BY work_orders DESC, suggested_category;
