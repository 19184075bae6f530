-- Routing pages from per-day rollups of the work orders, like the overview's call_days (0025).
-- An administrator's (or a one-centre hotline's supervisor's) routing pages read every order of
-- the window: at ten million orders a year's headline figures took 0.5-0.9 s, most of it in exact
-- medians over ten million durations. The figures they show are sums over orders, so they are kept
-- per day (the order's created_at, local calendar day in the reporting time zone, as call_days)
-- and per centre: a centre-wide or unscoped page sums a few hundred thousand rows instead (the
-- headline figures, the departments, routing agreement and who passes work to whom). Pages
-- scoped to a team keep reading the order rows (a team's year is a few hundred thousand orders);
-- warehouse/rollups.py picks the variant.
-- What cannot be summed is kept so that it can be:
--   * durations (hours to dispatch, hours to close) as counts per bucket of a log scale
--     (hours_bucket: 1 % steps of 1 + minutes), from which a median or 90th percentile is read
--     with each rank's value as its bucket's middle (bucket_quantile): within 0.5 % of the exact
--     figure (under a second below a minute). The base queries read their quantiles from the same
--     buckets, so both paths show the same value.
--   * "overdue" of an open order depends on when it is read (now() > due_at): the rollup counts
--     the closed orders that were closed late, and readers count the open, late ones from the
--     order rows (few, recent, and found by the row groups' zone maps).
--   * routing agreement compares the suggested department, which follows the routing rules: it is
--     judged with the rules when the order is stored, and the rollup is derived again whenever
--     the rules change (warehouse/reference.py).
-- Keys are NOT NULL: '' stands for no centre (an order linked to no landed call: administrators
-- only), no department and no suggested category; readers turn '' back into NULL. Rows whose
-- orders all moved away stay with zero counts.

-- A duration in hours as a bucket of a log scale, and back (the bucket's middle).
CREATE MACRO hours_bucket(h) AS
    CASE
        WHEN h IS NULL THEN NULL
        WHEN h >= 0 THEN floor(ln(1 + h * 60) * 100)::INTEGER
        ELSE (-1 - floor(ln(1 - h * 60) * 100))::INTEGER
    END;

CREATE MACRO bucket_hours(b) AS
    CASE
        WHEN b IS NULL THEN NULL
        WHEN b >= 0 THEN (exp((b + 0.5) / 100) - 1) / 60
        ELSE -(exp((-1 - b + 0.5) / 100) - 1) / 60
    END;

-- A quantile q from orders per bucket: the buckets in ascending order and the running count of
-- orders up to each (its last element is the count of all). As quantile_cont: the values at the
-- ranks either side of q x (orders - 1), interpolated, each read as its bucket's middle. NULL
-- when there are no orders.
CREATE MACRO bucket_rank_hours(buckets, upto, r) AS
    bucket_hours(buckets[list_position(list_transform(upto, lambda u: u > r), true)]);

CREATE MACRO bucket_quantile(buckets, upto, q) AS
    bucket_rank_hours(buckets, upto, floor(q * (upto[-1] - 1)))
    + (q * (upto[-1] - 1) - floor(q * (upto[-1] - 1)))
    * (bucket_rank_hours(buckets, upto, ceil(q * (upto[-1] - 1))) - bucket_rank_hours(buckets, upto, floor(q * (upto[-1] - 1))));

-- "Overdue" of an order as of now (the view work_orders' definition since 0009, now named), and
-- by how many hours (to its close, or to now while open), for the pages that read the order rows.
CREATE MACRO work_order_overdue(is_closed, closed_at, due_at) AS
    CASE
        WHEN due_at IS NULL THEN NULL
        WHEN is_closed THEN closed_at > due_at
        ELSE now() > due_at
    END;

-- date_diff('second', ...) in whole seconds, from epochs: the calendar-aware date_diff of the
-- reporting time zone costs more than the rest of a query over a year of a centre's orders.
CREATE MACRO hours_past_due(closed_at, due_at) AS
    (floor(epoch(coalesce(closed_at, now()))) - floor(epoch(due_at))) / 3600.0;

CREATE OR REPLACE VIEW work_orders AS
SELECT * REPLACE (work_order_overdue(is_closed, closed_at, due_at) AS overdue)
FROM work_order_state;

-- The department the routing suggests for an order: the catalogue's choice where the inspection
-- made one, else the routing rule for its category with "{district}" filled from the order's
-- district (as work_order_suggestions did inline since 0024; now defined once).
CREATE MACRO suggested_department_of(routing_department, rule_department, district) AS
    CASE
        WHEN routing_department IS NOT NULL THEN routing_department
        WHEN rule_department IS NULL THEN NULL
        WHEN contains(rule_department, '{district}') AND district IS NULL THEN NULL
        ELSE replace(rule_department, '{district}', coalesce(district, ''))
    END;

CREATE OR REPLACE VIEW work_order_suggestions AS
SELECT
    w.*,
    suggested_department_of(w.routing_department, r.department, w.district) AS suggested_department,
    CASE
        WHEN w.routing_department IS NOT NULL THEN 'catalogue'
        WHEN r.department IS NOT NULL THEN 'routing_rules'
    END AS suggestion_source
FROM work_orders AS w
LEFT JOIN routing_rules AS r ON r.category = w.inspected_category;

-- Per day x centre x current department x suggested category: what the headline figures, the
-- departments' own figures and routing agreement count.
CREATE TABLE work_order_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    suggested_category VARCHAR NOT NULL,
    work_orders BIGINT NOT NULL,
    open BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    closed_overdue BIGINT NOT NULL,       -- closed after due_at
    with_due BIGINT NOT NULL,             -- due_at known: "overdue" is true or false
    rerouted BIGINT NOT NULL,             -- assigned more than once or returned
    assigned BIGINT NOT NULL,             -- assigned or returned at all
    reopened BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,            -- satisfied or basically satisfied
    dispatched BIGINT NOT NULL,           -- first_department known: judged for agreement
    dispatched_suggested BIGINT NOT NULL, -- ... with a suggested department
    first_agreed BIGINT NOT NULL,         -- ... which is where it was first sent
    final_judged BIGINT NOT NULL,         -- ... with a current department too
    final_agreed BIGINT NOT NULL,         -- ... which is the suggested one
    dispatched_rerouted BIGINT NOT NULL,  -- dispatched, and its route has more than one stop
    PRIMARY KEY (day, centre_id, department, suggested_category)
);

-- Per day x centre x department: every time an order reached it, was returned by it, or was
-- passed on by it (the departments page's first columns).
CREATE TABLE work_order_department_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    received BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    transferred_away BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, department)
);

-- Orders per bucket of hours to first dispatch (per centre), and of hours to close (per centre and
-- current department).
CREATE TABLE work_order_dispatch_hours (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    bucket INTEGER NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, bucket)
);

CREATE TABLE work_order_close_hours (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    bucket INTEGER NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, department, bucket)
);

-- Per day x centre x hand-off (from -> to, kind) x the order's number of hand-offs: the hops and
-- the orders that made them (an order counts once per hand-off pair). Who passes work to whom,
-- and which orders bounced at least N times (the page's threshold), are sums over these rows.
CREATE TABLE work_order_hop_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    from_department VARCHAR NOT NULL,
    to_department VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    order_hops INTEGER NOT NULL,
    hops BIGINT NOT NULL,
    work_orders BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, from_department, to_department, kind, order_hops)
);

-- The sink's scratch for a refresh of some orders (warehouse/workorders.py): their stored rows
-- before (sign -1, with the rowid they are deleted by) and derived again (sign 1, inserted into
-- work_order_state from here). It has work_order_state's columns: a migration adding one there
-- adds it here too (the sink's inserts name columns, so a missing one fails loudly).
CREATE TABLE sink_work_order_shift AS
SELECT 1::TINYINT AS sign, NULL::BIGINT AS old_rowid, *
FROM work_order_state
LIMIT 0;

-- The rows the rollups are derived from, as the rollups see them (keys, and the suggested
-- department as the rules say now): with everything = false the staged rows, signed (the sink's
-- shift, sql/internal/rollup_shift_work_orders.sql); with everything = true every stored order,
-- counted once (the fill below, and sql/internal/rebuild_work_order_rollups.sql). The staged rows
-- are not copied for the fill: DuckDB 2.0 reads no rows back from a table created in the same
-- transaction once a large insert into it was written out (the list columns), and a copy of
-- every order would cost as much again.
CREATE MACRO work_order_rollup_rows(everything) AS TABLE
SELECT
    s.sign::BIGINT AS sign,
    timezone('Asia/Shanghai', s.created_at)::DATE AS day,
    coalesce(s.centre_id, '') AS centre_key,
    coalesce(s.current_department, '') AS department_key,
    coalesce(s.suggested_category, '') AS category_key,
    s.* EXCLUDE (sign),
    suggested_department_of(s.routing_department, r.department, s.district) AS suggested_department
FROM (
    SELECT * EXCLUDE (old_rowid) FROM sink_work_order_shift WHERE NOT everything
    UNION ALL BY NAME
    SELECT 1::TINYINT AS sign, * FROM work_order_state WHERE everything
) AS s
LEFT JOIN routing_rules AS r ON r.category = s.inspected_category;

-- What those rows add to (sign 1) or take from (sign -1) each rollup: the rollups' one definition.
CREATE MACRO work_order_days_of(everything) AS TABLE
SELECT
    day,
    centre_key AS centre_id,
    department_key AS department,
    category_key AS suggested_category,
    sum(sign)::BIGINT AS work_orders,
    coalesce(sum(sign) FILTER (WHERE NOT is_closed), 0)::BIGINT AS open,
    coalesce(sum(sign) FILTER (WHERE is_closed), 0)::BIGINT AS closed,
    coalesce(sum(sign) FILTER (WHERE is_closed AND closed_at > due_at), 0)::BIGINT AS closed_overdue,
    coalesce(sum(sign) FILTER (WHERE due_at IS NOT NULL), 0)::BIGINT AS with_due,
    coalesce(sum(sign) FILTER (WHERE assignments > 1 OR returns > 0), 0)::BIGINT AS rerouted,
    coalesce(sum(sign) FILTER (WHERE assignments > 0 OR returns > 0), 0)::BIGINT AS assigned,
    coalesce(sum(sign) FILTER (WHERE reopens > 0), 0)::BIGINT AS reopened,
    coalesce(sum(sign) FILTER (WHERE satisfaction IS NOT NULL), 0)::BIGINT AS rated,
    coalesce(sum(sign) FILTER (WHERE satisfaction IN ('satisfied', 'basically_satisfied')), 0)::BIGINT AS satisfied,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL), 0)::BIGINT AS dispatched,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department IS NOT NULL), 0)::BIGINT
        AS dispatched_suggested,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department = first_department), 0)::BIGINT
        AS first_agreed,
    coalesce(sum(sign) FILTER (
        WHERE first_department IS NOT NULL AND suggested_department IS NOT NULL AND current_department IS NOT NULL
    ), 0)::BIGINT AS final_judged,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department = current_department), 0)::BIGINT
        AS final_agreed,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND len(route) > 1), 0)::BIGINT AS dispatched_rerouted
FROM work_order_rollup_rows(everything)
GROUP BY ALL;

-- Every stop of a route is a "received"; a return counts for the department that returned the
-- order, a transfer for the one that passed it on.
CREATE MACRO work_order_department_days_of(everything) AS TABLE
WITH rows AS (
    SELECT day, centre_key, sign, route, handoffs FROM work_order_rollup_rows(everything)
),

visits AS (
    SELECT day, centre_key, sign, unnest(route) AS department, 'received' AS kind
    FROM rows
    UNION ALL
    SELECT day, centre_key, sign, CASE h.kind WHEN 'returned' THEN h.department ELSE h.from_department END, h.kind
    FROM (SELECT day, centre_key, sign, unnest(handoffs) AS h FROM rows WHERE len(handoffs) > 0)
)

SELECT
    day,
    centre_key AS centre_id,
    department,
    coalesce(sum(sign) FILTER (WHERE kind = 'received'), 0)::BIGINT AS received,
    coalesce(sum(sign) FILTER (WHERE kind = 'returned'), 0)::BIGINT AS returned,
    coalesce(sum(sign) FILTER (WHERE kind = 'transferred'), 0)::BIGINT AS transferred_away
FROM visits
WHERE department IS NOT NULL
GROUP BY ALL;

CREATE MACRO work_order_dispatch_hours_of(everything) AS TABLE
SELECT day, centre_key AS centre_id, hours_bucket(hours_to_dispatch) AS bucket, sum(sign)::BIGINT AS orders
FROM work_order_rollup_rows(everything)
WHERE hours_to_dispatch IS NOT NULL
GROUP BY ALL;

CREATE MACRO work_order_close_hours_of(everything) AS TABLE
SELECT day, centre_key AS centre_id, department_key AS department, hours_bucket(hours_to_close) AS bucket, sum(sign)::BIGINT AS orders
FROM work_order_rollup_rows(everything)
WHERE hours_to_close IS NOT NULL
GROUP BY ALL;

-- A transfer goes from the department that passed the order on to the one it went to; a return
-- from the department that returned it to the centre.
CREATE MACRO work_order_hop_days_of(everything) AS TABLE
WITH hops AS (
    SELECT day, centre_key, sign, work_order_id, len(handoffs) AS order_hops, unnest(handoffs) AS h
    FROM work_order_rollup_rows(everything)
    WHERE len(handoffs) > 0
),

pairs AS (
    SELECT
        day,
        centre_key,
        sign,
        work_order_id,
        order_hops,
        coalesce(CASE WHEN h.kind = 'transferred' THEN h.from_department ELSE h.department END, '') AS from_department,
        coalesce(CASE WHEN h.kind = 'transferred' THEN h.department ELSE '热线中心（退单）' END, '') AS to_department,
        h.kind,
        count(*) AS hops
    FROM hops
    GROUP BY ALL
)

SELECT
    day,
    centre_key AS centre_id,
    from_department,
    to_department,
    kind,
    order_hops,
    sum(sign * hops)::BIGINT AS hops,
    sum(sign)::BIGINT AS work_orders
FROM pairs
GROUP BY ALL;

-- Fill them from what is stored (a warehouse created before this migration).
INSERT INTO work_order_days SELECT * FROM work_order_days_of(true) ORDER BY day;
INSERT INTO work_order_department_days SELECT * FROM work_order_department_days_of(true) ORDER BY day;
INSERT INTO work_order_dispatch_hours SELECT * FROM work_order_dispatch_hours_of(true) ORDER BY day;
INSERT INTO work_order_close_hours SELECT * FROM work_order_close_hours_of(true) ORDER BY day;
INSERT INTO work_order_hop_days SELECT * FROM work_order_hop_days_of(true) ORDER BY day;
