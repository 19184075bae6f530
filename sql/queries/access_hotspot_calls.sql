-- The calls behind a number on the hotspot page: a category × district cell over some days, a
-- repeat caller or a repeat address (by the hash keys of access_hotspot_repeat_*), or a list of
-- call ids (a topic). Within the user's scope; every parameter bound, NULL = any.
--
-- A dashboard query at 10 M calls: it reads the base tables for the picked calls only, never
-- the call_facts view (which aggregates every work order and every demand before any filter
-- applies). The scope and the window are picked on calls first, the window as a range on the
-- stored instant (local midnights; the reader sets the reporting time zone) so row groups
-- outside it are skipped; the matter (category, district, address, ...) is then built for
-- those calls only, by the same rules as call_facts (and call_demands): the first work
-- order wins, the stored first demand or else the judged LLM demand fills in, then the
-- inspection's category; sentiment from the inspection, else the judged LLM label.
WITH picked AS (
    SELECT c.call_id, c.started_at, c.team_id, c.agent_id
    FROM calls_in_scope($scope_centre, $scope_team) AS c
    WHERE ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($caller_key::UBIGINT IS NULL OR hash(c.caller_number) = $caller_key::UBIGINT)
      AND ($call_ids::VARCHAR[] IS NULL OR list_contains($call_ids::VARCHAR[], c.call_id))
      -- A place: only calls with an order at that address can have it as their matter's
      -- address (checked exactly below), so the matter is built for a few calls, not the month's.
      AND ($address_key::UBIGINT IS NULL OR c.call_id IN (
          SELECT w.call_id
          FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
          WHERE ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ - INTERVAL 1 DAY)
            AND hash(regexp_replace(lower(w.address), '[\s,，。.、()（）-]', '', 'g')) = $address_key::UBIGINT
      ))
),

inspected AS (
    SELECT i.call_id, i.category, i.score, i.sentiment_overall
    FROM inspections_of_calls('picked') AS i
    -- Inspected after the call ended: the same cheap range as the orders' below.
    WHERE ($date_from::DATE IS NULL OR i.inspected_at IS NULL OR i.inspected_at >= $date_from::DATE::TIMESTAMPTZ - INTERVAL 1 DAY)
),

orders AS (
    SELECT
        w.call_id,
        arg_min(w.work_order_id, w.created_at) AS work_order_id,
        arg_min(w.category, w.created_at) AS category,
        arg_min(w.recorded_type, w.created_at) AS recorded_type,
        arg_min(w.district, w.created_at) AS district,
        arg_min(w.address, w.created_at) AS address
    FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
    WHERE w.call_id IN (SELECT p.call_id FROM picked AS p)
      -- An order is filed from its call, so after the call began: a cheap range that skips
      -- older orders before the join (zone maps, where orders are stored about in the order
      -- they were filed; a day of slack for clocks that disagree).
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ - INTERVAL 1 DAY)
    GROUP BY w.call_id
),

stored_demands AS (
    SELECT d.call_id, d.summary AS demand_summary, d.category AS demand_category, nullif(d.district, '') AS demand_district
    FROM demands_of_calls('picked') AS d
    QUALIFY d.idx = min(d.idx) OVER (PARTITION BY d.call_id)
),

judgements AS (
    SELECT j.call_id, j.name, j.value
    FROM llm_judgements_of_calls('picked') AS j
    WHERE j.status = 'judged'
      AND j.name IN ('demand_summary', 'caller_sentiment')
),

call_demand AS (
    SELECT * FROM stored_demands
    UNION ALL
    SELECT j.call_id, j.value ->> 'summary', j.value ->> 'category', nullif(j.value ->> 'district', '')
    FROM judgements AS j
    WHERE j.name = 'demand_summary'
      AND j.call_id NOT IN (SELECT s.call_id FROM stored_demands AS s)
),

judged_sentiment AS (
    SELECT j.call_id, any_value(j.value ->> 'label') AS caller_sentiment
    FROM judgements AS j
    WHERE j.name = 'caller_sentiment'
    GROUP BY j.call_id
),

facts AS (
    SELECT
        p.call_id,
        p.started_at,
        p.team_id,
        p.agent_id,
        coalesce(o.category, d.demand_category, i.category) AS category,
        coalesce(o.district, d.demand_district) AS district,
        o.recorded_type,
        coalesce(i.sentiment_overall, js.caller_sentiment) AS caller_sentiment,
        d.demand_summary,
        o.address,
        i.score,
        o.work_order_id
    FROM picked AS p
    LEFT JOIN inspected AS i USING (call_id)
    LEFT JOIN orders AS o USING (call_id)
    LEFT JOIN call_demand AS d USING (call_id)
    LEFT JOIN judged_sentiment AS js USING (call_id)
)

SELECT
    f.call_id,
    f.started_at,
    f.team_id,
    f.agent_id,
    coalesce(f.category, '未分类') AS category,
    coalesce(f.district, '未知区域') AS district,
    f.recorded_type,
    f.caller_sentiment,
    f.demand_summary,
    f.address,
    f.score,
    f.work_order_id
FROM facts AS f
WHERE ($category::VARCHAR IS NULL OR coalesce(f.category, '未分类') = $category::VARCHAR)
  AND ($district::VARCHAR IS NULL OR coalesce(f.district, '未知区域') = $district::VARCHAR)
  AND ($address_key::UBIGINT IS NULL
      OR hash(regexp_replace(lower(f.address), '[\s,，。.、()（）-]', '', 'g')) = $address_key::UBIGINT)
ORDER BY f.started_at DESC, f.call_id
LIMIT coalesce($limit::INTEGER, 200);
