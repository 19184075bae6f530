-- The routing pages filter work orders by the user's scope (the centre and team of the order's
-- call), compare them with what the inspection suggested and count their hand-offs. At ten
-- million orders, joining every order to its call, its inspection and its events on each read
-- cost 1-4 s per page query. The stored order rows now carry those facts themselves:
-- work_orders_stored_derived is work_orders_derived plus the call's scope, the inspection's
-- category and routing choice, and the order's transfers and returns as a list. The sink
-- re-derives an order when its events arrive, when its call or inspection lands, and when its
-- call is re-inspected (warehouse/workorders.py). Orders whose call or inspection has not landed
-- yet are listed in work_orders_awaiting_call, so a landing call finds its orders without a scan
-- of every order.

CREATE VIEW work_orders_stored_derived AS
WITH handoffs AS (
    SELECT
        work_order_id,
        list({'kind': kind, 'department': department, 'from_department': from_department} ORDER BY occurred_at, event_id)
            AS handoffs
    FROM work_order_events
    WHERE kind IN ('transferred', 'returned')
    GROUP BY work_order_id
)

SELECT
    d.*,
    c.centre_id,
    c.team_id,
    -- The category the routing rules are keyed by, and the catalogue's own choice (0010, 0012).
    i.category AS inspected_category,
    coalesce(i.routing_category, i.category) AS suggested_category,
    i.routing_department,
    coalesce(h.handoffs, []) AS handoffs
FROM work_orders_derived AS d
LEFT JOIN calls AS c ON c.call_id = d.call_id
LEFT JOIN inspections AS i ON i.call_id = d.call_id
LEFT JOIN handoffs AS h ON h.work_order_id = d.work_order_id;

ALTER TABLE work_order_state ADD COLUMN centre_id VARCHAR;
ALTER TABLE work_order_state ADD COLUMN team_id VARCHAR;
ALTER TABLE work_order_state ADD COLUMN inspected_category VARCHAR;
ALTER TABLE work_order_state ADD COLUMN suggested_category VARCHAR;
ALTER TABLE work_order_state ADD COLUMN routing_department VARCHAR;
ALTER TABLE work_order_state ADD COLUMN handoffs STRUCT(kind VARCHAR, department VARCHAR, from_department VARCHAR)[];

DELETE FROM work_order_state;

INSERT INTO work_order_state BY NAME
SELECT * FROM work_orders_stored_derived;

CREATE TABLE work_orders_awaiting_call (
    work_order_id VARCHAR NOT NULL,
    call_id VARCHAR NOT NULL
);

-- The stored orders still waiting for their call or its inspection: what
-- work_orders_awaiting_call lists (here, after a full rebuild and after each order's refresh).
CREATE VIEW work_orders_awaiting_derived AS
SELECT work_order_id, call_id
FROM work_order_state
WHERE call_id IS NOT NULL AND (centre_id IS NULL OR inspected_category IS NULL);

INSERT INTO work_orders_awaiting_call
SELECT * FROM work_orders_awaiting_derived;

-- The public view again, now with the new columns ("overdue" of an open order as of reading).
CREATE OR REPLACE VIEW work_orders AS
SELECT * REPLACE (
    CASE
        WHEN due_at IS NULL THEN NULL
        WHEN is_closed THEN closed_at > due_at
        ELSE now() > due_at
    END AS overdue
)
FROM work_order_state;

-- Each order with the department the routing suggests: the catalogue's choice where the
-- inspection made one, else the routing rule for its category ("{district}" filled from the
-- order's district). Reads the stored order rows and the small rules table only.
CREATE VIEW work_order_suggestions AS
SELECT
    w.*,
    CASE
        WHEN w.routing_department IS NOT NULL THEN w.routing_department
        WHEN r.department IS NULL THEN NULL
        WHEN contains(r.department, '{district}') AND w.district IS NULL THEN NULL
        ELSE replace(r.department, '{district}', coalesce(w.district, ''))
    END AS suggested_department,
    CASE
        WHEN w.routing_department IS NOT NULL THEN 'catalogue'
        WHEN r.department IS NOT NULL THEN 'routing_rules'
    END AS suggestion_source
FROM work_orders AS w
LEFT JOIN routing_rules AS r ON r.category = w.inspected_category;

-- One call's (or a few calls') suggestions with the catalogue's reasons, as before (0012).
CREATE OR REPLACE VIEW routing_suggestions AS
SELECT
    s.work_order_id,
    s.call_id,
    s.suggested_category,
    s.district,
    s.suggested_department,
    s.first_department,
    s.current_department,
    s.route,
    s.suggestion_source,
    i.routing_rule_id,
    i.routing_catalogue_version,
    i.routing_reason
FROM work_order_suggestions AS s
LEFT JOIN inspections AS i ON i.call_id = s.call_id;
