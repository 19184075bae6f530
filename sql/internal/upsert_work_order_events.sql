-- $events: a list of structs, one per lifecycle event. The latest copy of an event id wins, so a
-- corrected CSV re-import replaces what an earlier import wrote; a replay writes the same values.
INSERT OR REPLACE INTO work_order_events (
    event_id, work_order_id, call_id, kind, department, from_department, category, recorded_type,
    district, address, due_at, satisfaction, occurred_at, note, source
)
SELECT
    e.event_id, e.work_order_id, e.call_id, e.kind, e.department, e.from_department, e.category, e.recorded_type,
    e.district, e.address, e.due_at, e.satisfaction, e.occurred_at, e.note, e.source
FROM (SELECT unnest($events) AS e);
