-- access_hotspot_daily_counts for every scope the hotspot job mines, from one read of the facts:
-- the unrestricted scope, each centre and each team within its centre (hotspot_daily_counts_of
-- per level), so the hourly job reads the warehouse once instead of once per scope. Each row
-- carries its scope (scope_centre, scope_team; NULL = unrestricted), the same columns and the same
-- aggregates as the scoped query, so one scope's rows are exactly what that query returns for it.
WITH demand AS MATERIALIZED (
    SELECT *
    FROM hotspot_demand_rows(NULL, NULL, $date_from, $date_to)
)

SELECT * FROM hotspot_daily_counts_of('demand', 'all')
UNION ALL
SELECT * FROM hotspot_daily_counts_of('demand', 'centre')
UNION ALL
SELECT * FROM hotspot_daily_counts_of('demand', 'team')
ORDER BY scope_centre NULLS FIRST, scope_team NULLS FIRST, category, district, day;
