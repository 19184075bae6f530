-- work_order_hop_days in scope. It is kept per centre, so a team-scoped user gets no rows: a team's
-- routing pages read its orders instead (warehouse/rollups.py picks the variant).
CREATE OR REPLACE MACRO work_order_hop_days_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM work_order_hop_days
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND scope_team::VARCHAR IS NULL;
