-- Hours from an order's due time to its close, or to now while open (negative: before due). Whole
-- seconds from epochs: the calendar-aware date_diff of the reporting time zone costs more than the
-- rest of a query over a year of a centre's orders. Used by access_routing_overdue.
CREATE OR REPLACE MACRO hours_past_due(closed_at, due_at) AS
    (floor(epoch(coalesce(closed_at, now()))) - floor(epoch(due_at))) / 3600.0;
