-- access_hotspot_texts for every scope the hotspot job mines, in one pass: the texts of the
-- window that are among the $limit most recent of at least one scope (unrestricted, their
-- centre, their team), with the call's centre and team and started_at; the job takes each
-- scope's $limit most recent from them (by started_at DESC, call_id, as the scoped query orders).
-- The caller's own words are gathered from the turns once, not once per scope.
WITH scoped AS (
    SELECT call_id, centre_id, team_id, started_at, category, district, demand_summary, recorded_type, caller_sentiment
    FROM call_facts
    WHERE ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND coalesce(recorded_type, '') <> '表扬'
),

caller_words AS (
    SELECT t.call_id, left(string_agg(t.text, '' ORDER BY t.turn_no), 200) AS caller_text
    FROM turns AS t
    INNER JOIN scoped AS s USING (call_id)
    WHERE t.speaker = 'caller'
    GROUP BY t.call_id
),

texts AS (
    SELECT
        s.call_id,
        s.centre_id,
        s.team_id,
        s.started_at,
        s.started_at::DATE AS day,
        coalesce(s.category, '未分类') AS category,
        coalesce(s.district, '未知区域') AS district,
        coalesce(s.demand_summary, w.caller_text) AS text,
        s.recorded_type = '投诉' AS complaint,
        s.caller_sentiment IN ('dissatisfied', 'angry') AS negative
    FROM scoped AS s
    LEFT JOIN caller_words AS w USING (call_id)
    WHERE coalesce(s.demand_summary, w.caller_text) IS NOT NULL
)

SELECT *
FROM texts
QUALIFY row_number() OVER (ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000)
     OR (centre_id IS NOT NULL
         AND row_number() OVER (PARTITION BY centre_id ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000))
     OR (centre_id IS NOT NULL AND team_id IS NOT NULL
         AND row_number() OVER (PARTITION BY centre_id, team_id ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000))
ORDER BY started_at DESC, call_id;
