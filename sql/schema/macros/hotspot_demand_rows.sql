-- The calls of (scope_centre, scope_team) in the window that the hotspot spike test counts (praise
-- left out), one row each with its series (category × district × local day) and what makes a
-- series urgent. Counted per scope by hotspot_daily_counts_of, for the hotspot page
-- (access_hotspot_daily_counts: the user's scope) and the hourly job (hotspot_scoped_daily_counts:
-- scope NULL, every scope from one read).
-- The window is a range on the stored instant (local midnights; the reader sets the reporting
-- time zone): the same calls as a cast to a date, but whole row groups outside it are skipped.
CREATE OR REPLACE MACRO hotspot_demand_rows(scope_centre, scope_team, date_from, date_to) AS TABLE
-- Only joined to the calls in scope: the alerts need no scoping of their own.
WITH alerted AS (
    SELECT DISTINCT call_id
    FROM alerts
)

SELECT
    f.call_id,
    f.centre_id,
    f.team_id,
    f.started_at::DATE AS day,
    coalesce(f.category, '未分类') AS category,
    coalesce(f.district, '未知区域') AS district,
    f.caller_number,
    f.recorded_type = '投诉' AS complaint,
    f.caller_sentiment IN ('dissatisfied', 'angry') AS negative,
    a.call_id IS NOT NULL AS alerted
FROM call_facts_in_scope(scope_centre, scope_team) AS f
LEFT JOIN alerted AS a USING (call_id)
WHERE (date_from::DATE IS NULL OR f.started_at >= date_from::DATE::TIMESTAMPTZ)
  AND (date_to::DATE IS NULL OR f.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
  AND coalesce(f.recorded_type, '') <> '表扬'
  AND coalesce(f.category, '') NOT LIKE '表扬%';
