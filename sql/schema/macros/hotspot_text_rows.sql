-- What each caller of (scope_centre, scope_team) asked for in the window, praise left out, as text
-- to cluster into topics: the judged demand summary where the LLM gave one, otherwise the caller's
-- own first words (up to 200 characters); with the call's centre, team and started_at, so a reader
-- picks the most recent per scope. Read by the hotspot page (access_hotspot_texts: one scope) and
-- the hourly job (hotspot_scoped_texts: scope NULL, each scope's most recent picked from them).
CREATE OR REPLACE MACRO hotspot_text_rows(scope_centre, scope_team, date_from, date_to) AS TABLE
WITH facts AS (
    SELECT f.call_id, f.centre_id, f.team_id, f.started_at, f.category, f.district, f.demand_summary, f.recorded_type, f.caller_sentiment
    FROM call_facts_in_scope(scope_centre, scope_team) AS f
    WHERE (date_from::DATE IS NULL OR f.started_at >= date_from::DATE::TIMESTAMPTZ)
      AND (date_to::DATE IS NULL OR f.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
      AND coalesce(f.recorded_type, '') <> '表扬'
),

-- The caller's words of the calls above only (already in scope): turns need no scoping of their own.
caller_words AS (
    SELECT t.call_id, left(string_agg(t.text, '' ORDER BY t.turn_no), 200) AS caller_text
    FROM turns AS t
    INNER JOIN facts AS f USING (call_id)
    WHERE t.speaker = 'caller'
    GROUP BY t.call_id
)

SELECT
    f.call_id,
    f.centre_id,
    f.team_id,
    f.started_at,
    f.started_at::DATE AS day,
    coalesce(f.category, '未分类') AS category,
    coalesce(f.district, '未知区域') AS district,
    coalesce(f.demand_summary, w.caller_text) AS text,
    f.recorded_type = '投诉' AS complaint,
    f.caller_sentiment IN ('dissatisfied', 'angry') AS negative
FROM facts AS f
LEFT JOIN caller_words AS w USING (call_id)
WHERE coalesce(f.demand_summary, w.caller_text) IS NOT NULL;
