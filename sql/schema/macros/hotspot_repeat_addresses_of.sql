-- Repeated places: addresses that at least min_callers (NULL: 2) different callers reported among
-- address_rows (the name of a relation of hotspot_address_rows' rows), one matter affecting many
-- people; per scope as hotspot_daily_counts_of counts them (per 'all' | 'centre' | 'team';
-- scope_centre, scope_team NULL = unrestricted), unranked: the page
-- (access_hotspot_repeat_addresses) and the job (hotspot_scoped_repeat_addresses) rank and cut
-- them. address_key (a hash) lets a page drill down to the calls without handling the address.
CREATE OR REPLACE MACRO hotspot_repeat_addresses_of(address_rows, per, min_callers) AS TABLE
-- The threshold filters the counted rows, not in HAVING: a macro's argument is no group key.
WITH counted AS (
    SELECT
        CASE WHEN per IN ('centre', 'team') THEN r.centre_id END AS scope_centre,
        CASE WHEN per = 'team' THEN r.team_id END AS scope_team,
        any_value(r.address ORDER BY r.started_at DESC) AS address,
        hash(r.address_key) AS address_key,
        any_value(r.district) AS district,
        count(*) AS calls,
        count(DISTINCT r.caller_number) AS callers,
        min(r.started_at) AS first_call_at,
        max(r.started_at) AS last_call_at,
        list(DISTINCT r.category) FILTER (WHERE r.category IS NOT NULL) AS categories,
        list(r.call_id ORDER BY r.started_at DESC)[1:10] AS recent_calls
    FROM query_table(address_rows) AS r
    WHERE per = 'all' OR (r.centre_id IS NOT NULL AND (per = 'centre' OR r.team_id IS NOT NULL))
    GROUP BY 1, 2, r.address_key
)

SELECT *
FROM counted
WHERE callers >= coalesce(min_callers::INTEGER, 2);
