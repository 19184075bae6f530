-- One row per call with a demand: its first demand where the inspection stored demands, with how
-- many it stored; otherwise the judged LLM demand_summary item. Read by call_facts (hotspots); a
-- call's full list is the named query access_call_demands.
CREATE OR REPLACE VIEW call_demands AS
WITH stored AS (
    SELECT
        call_id,
        summary AS demand_summary,
        category AS demand_category,
        nullif(district, '') AS demand_district,
        NULL::VARCHAR AS model,
        street AS demand_street,
        address AS demand_address,
        urgency AS demand_urgency,
        source AS demand_source,
        count(*) OVER (PARTITION BY call_id) AS demands
    FROM demands
    QUALIFY idx = min(idx) OVER (PARTITION BY call_id)
),

judged AS (
    SELECT
        j.call_id,
        j.value ->> 'summary' AS demand_summary,
        j.value ->> 'category' AS demand_category,
        nullif(j.value ->> 'district', '') AS demand_district,
        j.model,
        NULL::VARCHAR AS demand_street,
        NULL::VARCHAR AS demand_address,
        NULL::VARCHAR AS demand_urgency,
        'llm_judgement' AS demand_source,
        1::BIGINT AS demands
    FROM llm_judgements AS j
    WHERE j.name = 'demand_summary'
      AND j.status = 'judged'
      AND NOT EXISTS (SELECT 1 FROM stored AS s WHERE s.call_id = j.call_id)
)

-- demand_source: rules | llm (stored demands) | llm_judgement; model only for the latter.
SELECT * FROM stored
UNION ALL BY NAME
SELECT * FROM judged;
