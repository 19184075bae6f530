-- The sink's scratch for a refresh of some orders (warehouse/workorders.py): their stored rows
-- before (sign -1, with the rowid they are deleted by) and derived again (sign 1, inserted into
-- work_order_state from here); the routing rollups shift from it (work_order_rollup_rows).
-- Derived from work_order_state, so a column added there is staged here too.
CREATE OR REPLACE TEMP TABLE sink_work_order_shift AS
SELECT 0::TINYINT AS sign, 0::BIGINT AS old_rowid, *
FROM work_order_state
LIMIT 0;
