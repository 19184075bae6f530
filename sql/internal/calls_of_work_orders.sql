-- $ids: work orders about to be derived again; the calls their events name (their call is one
-- of them), so that work_orders_stored_derived_of reads only those calls and inspections.
SELECT DISTINCT call_id
FROM work_order_events
WHERE list_contains($ids::VARCHAR[], work_order_id)
  AND call_id IS NOT NULL;
