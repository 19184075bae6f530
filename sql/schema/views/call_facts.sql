-- One row per call with its matter, for the hotspots page and jobs (through the hotspot_*_rows
-- macros: daily counts, repeat callers and addresses, texts). The work-order system's
-- record wins (a person filed it); the call's first demand and the inspection's suggested category
-- fill in where there is no order.
CREATE OR REPLACE VIEW call_facts AS
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
    -- The call's first work order (by created_at), and how many it has.
    o.work_order_id,
    coalesce(o.work_orders, 0) AS work_orders,
    o.category AS recorded_category,
    o.recorded_type,
    -- The order's category, else the demand's, else the inspection's suggestion.
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
