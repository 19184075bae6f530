-- Repeat callers in the user's scope ($scope_centre / $scope_team, bound by access.run_scoped; NULL =
-- unrestricted); the other parameters are the page's.
-- caller_key (a hash) lets a page drill down to the calls without handling the number.
-- Numbers that called at least $min_calls times (default 3) in the period: unresolved matters
-- or one person's campaign. The number is masked: this list goes to policy staff.
WITH scoped AS (
    SELECT call_id, caller_number, started_at, category, district, work_order_id
    FROM call_facts_in_scope($scope_centre, $scope_team)
    WHERE caller_number IS NOT NULL
      AND ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
)

SELECT
    masked_number(caller_number) AS caller_masked,
    hash(caller_number) AS caller_key,
    count(*) AS calls,
    count(DISTINCT started_at::DATE) AS days,
    min(started_at) AS first_call_at,
    max(started_at) AS last_call_at,
    list(DISTINCT category) FILTER (WHERE category IS NOT NULL) AS categories,
    list(DISTINCT district) FILTER (WHERE district IS NOT NULL) AS districts,
    list(call_id ORDER BY started_at DESC)[1:10] AS recent_calls
FROM scoped
GROUP BY caller_number
HAVING count(*) >= coalesce($min_calls::INTEGER, 3)
ORDER BY calls DESC, last_call_at DESC, caller_key
LIMIT coalesce($limit::INTEGER, 100);
