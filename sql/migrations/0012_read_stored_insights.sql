-- The per-call views of 0008 read the caller's sentiment and demand from judged LLM items only.
-- Inspections now carry both themselves (0010): read those where present, and fall back to the
-- judged LLM items for calls inspected before then (or by a worker without these insights).
-- routing_suggestions prefers the department the inspection's 事项—职责—属地 catalogue chose
-- over the flat routing_rules table. Column names of 0008 are kept (call_facts and the named
-- queries read them); new columns are added after them.

CREATE OR REPLACE VIEW call_sentiment AS
WITH stored AS (
    SELECT
        call_id,
        sentiment_overall AS caller_sentiment,
        sentiment_evidence[1].quote AS sentiment_quote,
        sentiment_method AS model,
        sentiment_trend,
        sentiment_first_third_valence AS first_third_valence,
        sentiment_last_third_valence AS last_third_valence,
        'inspection' AS sentiment_source
    FROM inspections
    WHERE sentiment_overall IS NOT NULL
),

judged AS (
    SELECT
        j.call_id,
        j.value ->> 'label' AS caller_sentiment,
        j.value ->> 'quote' AS sentiment_quote,
        j.model,
        NULL::VARCHAR AS sentiment_trend,
        NULL::DOUBLE AS first_third_valence,
        NULL::DOUBLE AS last_third_valence,
        'llm' AS sentiment_source
    FROM llm_judgements AS j
    WHERE j.name = 'caller_sentiment'
      AND j.status = 'judged'
      AND NOT EXISTS (SELECT 1 FROM stored AS s WHERE s.call_id = j.call_id)
)

SELECT * FROM stored
UNION ALL BY NAME
SELECT * FROM judged;

-- One row per call: its first demand (idx 0) where the inspection stored demands, with how many
-- it stored; otherwise the judged LLM demand summary. All demands: named query call_demands.
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

SELECT * FROM stored
UNION ALL BY NAME
SELECT * FROM judged;

-- The department suggested for a call's work order beside where the order really went: the
-- inspection's catalogue suggestion where it made one, else the routing_rules row for the
-- inspection's suggested category (with the order's district).
CREATE OR REPLACE VIEW routing_suggestions AS
SELECT
    w.work_order_id,
    w.call_id,
    coalesce(i.routing_category, i.category) AS suggested_category,
    w.district,
    CASE
        WHEN i.routing_department IS NOT NULL THEN i.routing_department
        WHEN r.department IS NULL THEN NULL
        WHEN contains(r.department, '{district}') AND w.district IS NULL THEN NULL
        ELSE replace(r.department, '{district}', coalesce(w.district, ''))
    END AS suggested_department,
    w.first_department,
    w.current_department,
    w.route,
    CASE
        WHEN i.routing_department IS NOT NULL THEN 'catalogue'
        WHEN r.department IS NOT NULL THEN 'routing_rules'
    END AS suggestion_source,
    i.routing_rule_id,
    i.routing_catalogue_version,
    i.routing_reason
FROM work_orders AS w
LEFT JOIN inspections AS i USING (call_id)
LEFT JOIN routing_rules AS r ON r.category = i.category;
