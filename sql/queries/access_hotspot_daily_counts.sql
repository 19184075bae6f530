-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Demand volume per category × district × day (Beijing days), praise left out, with what makes
-- a series urgent: recorded complaints, negative callers and risk alerts. Input to the spike test.
WITH scoped AS (
    SELECT
        f.call_id,
        f.started_at::DATE AS day,
        coalesce(f.category, '未分类') AS category,
        coalesce(f.district, '未知区域') AS district,
        f.caller_number,
        f.recorded_type = '投诉' AS complaint,
        f.caller_sentiment IN ('dissatisfied', 'angry') AS negative
    FROM call_facts AS f
    WHERE ($date_from::DATE IS NULL OR f.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR f.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($scope_centre::VARCHAR IS NULL OR f.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR f.team_id = $scope_team::VARCHAR)
      AND coalesce(f.recorded_type, '') <> '表扬'
      AND coalesce(f.category, '') NOT LIKE '表扬%'
),

alerted AS (
    SELECT DISTINCT call_id
    FROM alerts
)

SELECT
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
GROUP BY ALL
ORDER BY s.category, s.district, s.day;
