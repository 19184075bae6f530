-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- What each caller asked for, as text to cluster into topics: the judged demand summary where
-- the LLM gave one, otherwise the caller's own first words (up to 200 characters).
WITH scoped AS (
    SELECT call_id, started_at, category, district, demand_summary, recorded_type, caller_sentiment
    FROM call_facts
    WHERE ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND coalesce(recorded_type, '') <> '表扬'
      AND ($scope_centre::VARCHAR IS NULL OR centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR team_id = $scope_team::VARCHAR)
),

caller_words AS (
    SELECT t.call_id, left(string_agg(t.text, '' ORDER BY t.turn_no), 200) AS caller_text
    FROM turns AS t
    INNER JOIN scoped AS s USING (call_id)
    WHERE t.speaker = 'caller'
    GROUP BY t.call_id
)

SELECT
    s.call_id,
    s.started_at::DATE AS day,
    coalesce(s.category, '未分类') AS category,
    coalesce(s.district, '未知区域') AS district,
    coalesce(s.demand_summary, w.caller_text) AS text,
    s.recorded_type = '投诉' AS complaint,
    s.caller_sentiment IN ('dissatisfied', 'angry') AS negative
FROM scoped AS s
LEFT JOIN caller_words AS w USING (call_id)
WHERE coalesce(s.demand_summary, w.caller_text) IS NOT NULL
ORDER BY s.started_at DESC, s.call_id
LIMIT coalesce($limit::INTEGER, 5000);
