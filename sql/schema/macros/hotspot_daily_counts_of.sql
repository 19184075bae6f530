-- Demand volume per category × district × day with its recorded complaints, negative callers and
-- alerted calls, counted from demand_rows (the name of a relation of hotspot_demand_rows' rows)
-- per scope. per 'all': every row in one scope, scope_centre and scope_team NULL (the page, whose
-- rows are already its user's scope); 'centre': per centre; 'team': per team within its centre.
-- Rows without a centre (or a team) are in no centre (or team) scope: access.scope_params never
-- binds NULL there. The hotspot job takes the three from one materialised read (one aggregate per
-- scope level is faster than GROUPING SETS or than repeating rows per scope), the page takes 'all'.
-- Distinct callers are counted per scope, never summed from teams.
CREATE OR REPLACE MACRO hotspot_daily_counts_of(demand_rows, per) AS TABLE
SELECT
    CASE WHEN per IN ('centre', 'team') THEN d.centre_id END AS scope_centre,
    CASE WHEN per = 'team' THEN d.team_id END AS scope_team,
    d.day,
    d.category,
    d.district,
    count(*) AS calls,
    count(DISTINCT d.caller_number) AS callers,
    count(*) FILTER (WHERE d.complaint) AS complaints,
    count(*) FILTER (WHERE d.negative) AS negative,
    count(*) FILTER (WHERE d.alerted) AS alerted
FROM query_table(demand_rows) AS d
WHERE per = 'all' OR (d.centre_id IS NOT NULL AND (per = 'centre' OR d.team_id IS NOT NULL))
GROUP BY ALL;
