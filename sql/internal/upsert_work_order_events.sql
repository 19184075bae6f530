-- The staged events (sink_batch_work_order_events, one row per event id) into work_order_events,
-- then the scratch is emptied. The latest copy of an event id wins, so a corrected CSV re-import
-- replaces what an earlier import wrote; a replay writes the same values.
INSERT OR REPLACE INTO work_order_events
SELECT * FROM sink_batch_work_order_events;

DELETE FROM sink_batch_work_order_events;
