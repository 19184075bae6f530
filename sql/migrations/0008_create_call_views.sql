-- Per-call analytics derived from what the sink stores: conversation metrics from the turns,
-- the caller's sentiment and demand from the LLM items (judged ones only: a pending or
-- needs-review item is not a fact), and the call's matter joined from its work order.

-- Talk and silence: silence is time inside the call covered by no turn; overlap is time where
-- both speak (gaps and overlaps between consecutive turns).
CREATE VIEW call_metrics AS
WITH ordered AS (
    SELECT
        call_id,
        speaker,
        start_s,
        end_s,
        max(end_s) OVER (PARTITION BY call_id ORDER BY turn_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end_s
    FROM turns
),

per_call AS (
    SELECT
        call_id,
        count(*) AS turns,
        sum(end_s - start_s) FILTER (WHERE speaker = 'agent') AS agent_talk_s,
        sum(end_s - start_s) FILTER (WHERE speaker = 'caller') AS caller_talk_s,
        sum(greatest(start_s - prev_end_s, 0)) AS silence_s,
        max(greatest(start_s - prev_end_s, 0)) AS longest_silence_s,
        sum(greatest(least(prev_end_s, end_s) - start_s, 0)) AS overlap_s,
        max(end_s) AS last_speech_s
    FROM ordered
    GROUP BY call_id
)

SELECT
    p.call_id,
    p.turns,
    coalesce(p.agent_talk_s, 0) AS agent_talk_s,
    coalesce(p.caller_talk_s, 0) AS caller_talk_s,
    coalesce(p.silence_s, 0) AS silence_s,
    coalesce(p.longest_silence_s, 0) AS longest_silence_s,
    coalesce(p.overlap_s, 0) AS overlap_s,
    CASE WHEN coalesce(p.agent_talk_s, 0) + coalesce(p.caller_talk_s, 0) > 0
        THEN coalesce(p.agent_talk_s, 0) / (coalesce(p.agent_talk_s, 0) + coalesce(p.caller_talk_s, 0)) END AS agent_talk_share,
    CASE WHEN c.duration_s > 0 THEN coalesce(p.silence_s, 0) / c.duration_s END AS silence_share
FROM per_call AS p
INNER JOIN calls AS c USING (call_id);

CREATE VIEW call_sentiment AS
SELECT
    call_id,
    value ->> 'label' AS caller_sentiment,
    value ->> 'quote' AS sentiment_quote,
    model
FROM llm_judgements
WHERE name = 'caller_sentiment' AND status = 'judged';

CREATE VIEW call_demands AS
SELECT
    call_id,
    value ->> 'summary' AS demand_summary,
    value ->> 'category' AS demand_category,
    nullif(value ->> 'district', '') AS demand_district,
    model
FROM llm_judgements
WHERE name = 'demand_summary' AND status = 'judged';

-- One row per call with its matter. The work-order system's record wins (a person filed it);
-- the LLM's demand and the inspection's suggested category fill in where there is no order.
CREATE VIEW call_facts AS
WITH orders AS (
    SELECT
        call_id,
        arg_min(work_order_id, created_at) AS work_order_id,
        arg_min(category, created_at) AS category,
        arg_min(recorded_type, created_at) AS recorded_type,
        arg_min(district, created_at) AS district,
        arg_min(address, created_at) AS address,
        count(*) AS work_orders
    FROM work_orders
    WHERE call_id IS NOT NULL
    GROUP BY call_id
)

SELECT
    c.call_id,
    c.centre_id,
    c.team_id,
    c.agent_id,
    c.caller_number,
    c.started_at,
    c.duration_s,
    i.score,
    i.max_score,
    i.fatal,
    i.defects,
    i.review_state,
    i.category AS suggested_category,
    o.work_order_id,
    coalesce(o.work_orders, 0) AS work_orders,
    o.category AS recorded_category,
    o.recorded_type,
    coalesce(o.category, d.demand_category, i.category) AS category,
    coalesce(o.district, d.demand_district) AS district,
    o.address,
    d.demand_summary,
    s.caller_sentiment
FROM calls AS c
LEFT JOIN inspections AS i USING (call_id)
LEFT JOIN orders AS o USING (call_id)
LEFT JOIN call_demands AS d USING (call_id)
LEFT JOIN call_sentiment AS s USING (call_id);

-- The department the routing rules suggest for a call's work order (from the inspection's
-- suggested category and the order's district), beside where the order really went.
CREATE VIEW routing_suggestions AS
SELECT
    w.work_order_id,
    w.call_id,
    i.category AS suggested_category,
    w.district,
    CASE
        WHEN r.department IS NULL THEN NULL
        WHEN contains(r.department, '{district}') AND w.district IS NULL THEN NULL
        ELSE replace(r.department, '{district}', coalesce(w.district, ''))
    END AS suggested_department,
    w.first_department,
    w.current_department,
    w.route
FROM work_orders AS w
LEFT JOIN inspections AS i USING (call_id)
LEFT JOIN routing_rules AS r ON r.category = i.category;
