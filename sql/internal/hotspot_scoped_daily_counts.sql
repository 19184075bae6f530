-- access_hotspot_daily_counts for every scope the hotspot job mines, in one pass over the facts:
-- the unrestricted scope, each centre and each team within its centre (GROUPING SETS), so the
-- hourly job reads the warehouse once instead of once per scope. Each row carries its scope
-- (scope_centre, scope_team; NULL = unrestricted), the same columns and the same aggregates as
-- the scoped query, so one scope's rows are exactly what that query returns for the scope
-- (distinct callers are counted per scope, never summed from teams).
-- The window is a range on the stored instant (local midnights; the reader sets the reporting
-- time zone): the same calls as a cast to a date, but whole row groups outside it are skipped.
WITH scoped AS (
    SELECT
        f.call_id,
        f.centre_id,
        f.team_id,
        f.started_at::DATE AS day,
        coalesce(f.category, '未分类') AS category,
        coalesce(f.district, '未知区域') AS district,
        f.caller_number,
        f.recorded_type = '投诉' AS complaint,
        f.caller_sentiment IN ('dissatisfied', 'angry') AS negative
    FROM call_facts AS f
    WHERE ($date_from::DATE IS NULL OR f.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR f.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND coalesce(f.recorded_type, '') <> '表扬'
      AND coalesce(f.category, '') NOT LIKE '表扬%'
),

alerted AS (
    SELECT DISTINCT call_id
    FROM alerts
),

grouped AS (
    SELECT
        grouping(s.centre_id, s.team_id) AS level,
        s.centre_id,
        s.team_id,
        s.day,
        s.category,
        s.district,
        count(*) AS calls,
        count(DISTINCT s.caller_number) AS callers,
        count(*) FILTER (WHERE s.complaint) AS complaints,
        count(*) FILTER (WHERE s.negative) AS negative,
        count(a.call_id) AS alerted
    FROM scoped AS s
    LEFT JOIN alerted AS a USING (call_id)
    GROUP BY GROUPING SETS (
        (s.day, s.category, s.district),
        (s.centre_id, s.day, s.category, s.district),
        (s.centre_id, s.team_id, s.day, s.category, s.district)
    )
)

-- level 3: unrestricted; 1: a centre (its teams rolled up); 0: a team. Calls without a centre
-- (or a team) belong to no centre (or team) scope: access.scope_params never binds NULL there.
SELECT
    CASE WHEN level < 3 THEN centre_id END AS scope_centre,
    CASE WHEN level = 0 THEN team_id END AS scope_team,
    day,
    category,
    district,
    calls,
    callers,
    complaints,
    negative,
    alerted
FROM grouped
WHERE level = 3
   OR (level = 1 AND centre_id IS NOT NULL)
   OR (level = 0 AND centre_id IS NOT NULL AND team_id IS NOT NULL)
ORDER BY scope_centre NULLS FIRST, scope_team NULLS FIRST, category, district, day;
