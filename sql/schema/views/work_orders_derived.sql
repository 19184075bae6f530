-- One row per work order, derived from its events in the order they happened. Read only through
-- work_orders_stored_derived_of, whose rows the sink stores in work_order_state; pages read
-- work_orders.
-- A "returned" (退单) hands the order back to the centre: the order has no current department until
-- it is dispatched again. An order is closed when its last close comes after its last reopen.
-- Overdue: closed after its due time, or still open past it (as of derivation).
CREATE OR REPLACE VIEW work_orders_derived AS
WITH ordered AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY work_order_id ORDER BY occurred_at, event_id) AS seq
    FROM work_order_events
),

per_order AS (
    SELECT
        work_order_id,
        arg_min(call_id, seq) FILTER (WHERE call_id IS NOT NULL) AS call_id,
        coalesce(min(occurred_at) FILTER (WHERE kind = 'created'), min(occurred_at)) AS created_at,
        arg_max(category, seq) FILTER (WHERE category IS NOT NULL) AS category,
        arg_max(recorded_type, seq) FILTER (WHERE recorded_type IS NOT NULL) AS recorded_type,
        arg_max(district, seq) FILTER (WHERE district IS NOT NULL) AS district,
        arg_max(address, seq) FILTER (WHERE address IS NOT NULL) AS address,
        min(occurred_at) FILTER (WHERE kind = 'dispatched') AS first_dispatched_at,
        arg_min(department, seq) FILTER (WHERE kind = 'dispatched') AS first_department,
        arg_max(department, seq) FILTER (WHERE kind IN ('dispatched', 'transferred')) AS last_assigned_department,
        max(seq) FILTER (WHERE kind IN ('dispatched', 'transferred')) AS last_assign_seq,
        max(seq) FILTER (WHERE kind = 'returned') AS last_return_seq,
        count(*) FILTER (WHERE kind IN ('dispatched', 'transferred')) AS assignments,
        count(*) FILTER (WHERE kind = 'transferred') AS transfers,
        count(*) FILTER (WHERE kind = 'returned') AS returns,
        count(*) FILTER (WHERE kind = 'reopened') AS reopens,
        count(*) FILTER (WHERE kind = 'extended') AS extensions,
        list(department ORDER BY seq) FILTER (WHERE kind IN ('dispatched', 'transferred')) AS route,
        arg_max(due_at, seq) FILTER (WHERE due_at IS NOT NULL) AS recorded_due_at,
        min(occurred_at) FILTER (WHERE kind = 'replied') AS first_replied_at,
        max(seq) FILTER (WHERE kind = 'closed') AS last_close_seq,
        max(seq) FILTER (WHERE kind = 'reopened') AS last_reopen_seq,
        arg_max(occurred_at, seq) FILTER (WHERE kind = 'closed') AS last_closed_at,
        arg_max(satisfaction, seq) FILTER (WHERE satisfaction IS NOT NULL) AS satisfaction,
        max(occurred_at) AS last_event_at,
        count(*) AS events
    FROM ordered
    GROUP BY work_order_id
),

with_status AS (
    SELECT
        p.*,
        coalesce(p.last_close_seq > coalesce(p.last_reopen_seq, 0), false) AS is_closed,
        -- No recorded due time: created_at + the SLA hours of its recorded type ('其他' when it has
        -- none).
        coalesce(p.recorded_due_at, p.created_at + to_milliseconds(CAST(s.sla_hours * 3600000 AS BIGINT))) AS due_at
    FROM per_order AS p
    LEFT JOIN sla_policies AS s ON s.recorded_type = coalesce(p.recorded_type, '其他')
)

SELECT
    work_order_id,
    call_id,
    created_at,
    category,
    recorded_type,
    district,
    address,
    first_dispatched_at,
    first_department,
    CASE WHEN coalesce(last_return_seq, 0) > coalesce(last_assign_seq, 0) THEN NULL ELSE last_assigned_department END
        AS current_department,
    assignments,
    transfers,
    returns,
    reopens,
    extensions,
    coalesce(route, []) AS route,
    due_at,
    first_replied_at,
    is_closed,
    CASE WHEN is_closed THEN last_closed_at END AS closed_at,
    satisfaction,
    CASE
        WHEN due_at IS NULL THEN NULL
        WHEN is_closed THEN last_closed_at > due_at
        ELSE now() > due_at
    END AS overdue,
    date_diff('second', created_at, first_dispatched_at) / 3600.0 AS hours_to_dispatch,
    CASE WHEN is_closed THEN date_diff('second', created_at, last_closed_at) / 3600.0 END AS hours_to_close,
    last_event_at,
    events
FROM with_status;
