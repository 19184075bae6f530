-- Where a call's work orders disagree with what the inspection heard, one row per finding:
--   downgraded     the caller complained (投诉/举报) and an order of the call is recorded under a
--                  weaker type (咨询, 求助, …); quote: the caller's words the complaint rests on.
--   omitted_demand a demand of the call whose top-level category no order of the call carries;
--                  quote: the demand's own words.
-- Only calls with both an inspection's demands and at least one work order take part. detail is the
-- finding in words, for the page. Read by the routing page (access_routing_discrepancies).
CREATE OR REPLACE VIEW work_order_discrepancies AS
WITH typed AS (
    SELECT
        call_id,
        idx,
        summary,
        category,
        demand_type,
        demand_type_rank(demand_type) AS type_rank,
        coalesce(type_evidence, '[]'::JSON) AS type_evidence,
        evidence,
        split_part(category, '/', 1) AS top_category
    FROM demands
),

call_orders AS (
    SELECT
        call_id,
        min(work_order_id) AS first_order,
        list(DISTINCT split_part(category, '/', 1)) FILTER (WHERE category IS NOT NULL) AS order_top_categories
    FROM work_orders
    WHERE call_id IS NOT NULL
    GROUP BY call_id
),

strongest AS (
    SELECT
        call_id,
        arg_max(demand_type, type_rank) AS found_type,
        arg_max(type_evidence, type_rank) AS found_evidence,
        max(type_rank) AS found_rank
    FROM typed
    WHERE type_rank IS NOT NULL
    GROUP BY call_id
),

downgraded AS (
    SELECT
        w.call_id,
        w.work_order_id,
        'downgraded' AS discrepancy,
        w.recorded_type,
        w.category AS recorded_category,
        s.found_type,
        NULL::VARCHAR AS found_category,
        s.found_evidence -> 0 ->> 'quote' AS quote,
        CAST(s.found_evidence -> 0 ->> 'start_s' AS DOUBLE) AS quote_start_s,
        '来电人' || s.found_type || '，工单记为' || w.recorded_type AS detail
    FROM work_orders AS w
    INNER JOIN strongest AS s USING (call_id)
    WHERE s.found_rank >= 4 AND demand_type_rank(w.recorded_type) < s.found_rank
),

omitted AS (
    SELECT
        t.call_id,
        o.first_order AS work_order_id,
        'omitted_demand' AS discrepancy,
        NULL::VARCHAR AS recorded_type,
        array_to_string(o.order_top_categories, '、') AS recorded_category,
        t.demand_type AS found_type,
        t.category AS found_category,
        t.evidence -> 0 ->> 'quote' AS quote,
        CAST(t.evidence -> 0 ->> 'start_s' AS DOUBLE) AS quote_start_s,
        '诉求' || (t.idx + 1) || '（' || t.category || '）未见于该来电的工单' AS detail
    FROM typed AS t
    INNER JOIN call_orders AS o USING (call_id)
    WHERE t.top_category IS NOT NULL AND NOT list_contains(o.order_top_categories, t.top_category)
)

SELECT * FROM downgraded
UNION ALL
SELECT * FROM omitted;
