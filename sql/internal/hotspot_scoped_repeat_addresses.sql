-- access_hotspot_repeat_addresses for every scope the hotspot job mines, in one pass (GROUPING
-- SETS: unrestricted, each centre, each team within its centre), each scope's rows ranked and
-- cut to $limit as the scoped query does. Same columns, aggregates and order as that query,
-- plus the scope (scope_centre, scope_team; NULL = unrestricted).
WITH scoped AS (
    SELECT
        call_id,
        centre_id,
        team_id,
        caller_number,
        started_at,
        category,
        district,
        address,
        regexp_replace(lower(address), '[\s,，。.、()（）-]', '', 'g') AS address_key
    FROM call_facts
    WHERE address IS NOT NULL
      AND ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
),

grouped AS (
    SELECT
        grouping(centre_id, team_id) AS level,
        centre_id,
        team_id,
        any_value(address ORDER BY started_at DESC) AS address,
        hash(address_key) AS address_key,
        any_value(district) AS district,
        count(*) AS calls,
        count(DISTINCT caller_number) AS callers,
        min(started_at) AS first_call_at,
        max(started_at) AS last_call_at,
        list(DISTINCT category) FILTER (WHERE category IS NOT NULL) AS categories,
        list(call_id ORDER BY started_at DESC)[1:10] AS recent_calls
    FROM scoped
    GROUP BY GROUPING SETS ((address_key), (centre_id, address_key), (centre_id, team_id, address_key))
    HAVING count(DISTINCT caller_number) >= coalesce($min_callers::INTEGER, 2)
),

in_scope AS (
    SELECT
        CASE WHEN level < 3 THEN centre_id END AS scope_centre,
        CASE WHEN level = 0 THEN team_id END AS scope_team,
        * EXCLUDE (level, centre_id, team_id)
    FROM grouped
    WHERE level = 3
       OR (level = 1 AND centre_id IS NOT NULL)
       OR (level = 0 AND centre_id IS NOT NULL AND team_id IS NOT NULL)
)

SELECT *
FROM in_scope
QUALIFY row_number() OVER (
    PARTITION BY scope_centre, scope_team ORDER BY callers DESC, calls DESC, last_call_at DESC, address_key
) <= coalesce($limit::INTEGER, 100)
ORDER BY scope_centre NULLS FIRST, scope_team NULLS FIRST, callers DESC, calls DESC, last_call_at DESC, address_key;
