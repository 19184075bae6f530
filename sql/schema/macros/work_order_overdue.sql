-- Whether an order is overdue as of now: NULL without a due time; closed: closed after due_at;
-- open: now past due_at. Used by the view work_orders and by the queries that read work_order_state
-- directly (access_routing_chains, access_routing_overdue).
CREATE OR REPLACE MACRO work_order_overdue(is_closed, closed_at, due_at) AS
    CASE
        WHEN due_at IS NULL THEN NULL
        WHEN is_closed THEN closed_at > due_at
        ELSE now() > due_at
    END;
