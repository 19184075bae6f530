-- access_hotspot_repeat_addresses for every scope the hotspot job mines, from one read of the facts
-- (hotspot_repeat_addresses_of per level: unrestricted, each centre, each team within its centre),
-- each scope's rows ranked and cut to $limit as the scoped query does. Same columns, aggregates and
-- order as that query, plus the scope (scope_centre, scope_team; NULL = unrestricted).
WITH places AS MATERIALIZED (
    SELECT *
    FROM hotspot_address_rows(NULL, NULL, $date_from, $date_to)
),

every_scope AS (
    SELECT * FROM hotspot_repeat_addresses_of('places', 'all', $min_callers)
    UNION ALL
    SELECT * FROM hotspot_repeat_addresses_of('places', 'centre', $min_callers)
    UNION ALL
    SELECT * FROM hotspot_repeat_addresses_of('places', 'team', $min_callers)
)

SELECT *
FROM every_scope
QUALIFY row_number() OVER (
    PARTITION BY scope_centre, scope_team ORDER BY callers DESC, calls DESC, last_call_at DESC, address_key
) <= coalesce($limit::INTEGER, 100)
ORDER BY scope_centre NULLS FIRST, scope_team NULLS FIRST, callers DESC, calls DESC, last_call_at DESC, address_key;
