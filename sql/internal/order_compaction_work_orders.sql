-- After copy_compaction: the fresh file's order rows laid out again as work_order_state keeps them
-- (centre, team, created_at), taking back in the order the rows the sink appended since. The
-- index is dropped around the rewrite (maintained row by row it would cost minutes), and the
-- emptied blocks are checkpointed free first, so the sorted rows reuse them and the fresh file
-- grows by nothing.
DROP INDEX compaction_target.work_order_state_call_id;

DELETE FROM compaction_target.work_order_state;

CHECKPOINT compaction_target;

INSERT INTO compaction_target.work_order_state
SELECT * FROM compaction_source.work_order_state
ORDER BY centre_id, team_id, created_at, work_order_id;

CREATE INDEX work_order_state_call_id ON compaction_target.work_order_state (call_id);
