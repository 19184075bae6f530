-- Repeated places in the user's scope ($scope_centre / $scope_team, bound by access.run_scoped; NULL =
-- unrestricted); the other parameters are the page's.
-- address_key (a hash) lets a page drill down to the calls without handling the address.
-- Places that several different callers reported in the period (at least $min_callers, default
-- 2): one matter affecting many people. Addresses are compared without spaces and punctuation.
WITH scoped AS (
    SELECT
        call_id,
        caller_number,
        started_at,
        category,
        district,
        address,
        regexp_replace(lower(address), '[\s,，。.、()（）-]', '', 'g') AS address_key
    FROM call_facts_in_scope($scope_centre, $scope_team)
    WHERE address IS NOT NULL
      AND ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
)

SELECT
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
GROUP BY address_key
HAVING count(DISTINCT caller_number) >= coalesce($min_callers::INTEGER, 2)
ORDER BY callers DESC, calls DESC, last_call_at DESC, address_key
LIMIT coalesce($limit::INTEGER, 100);
