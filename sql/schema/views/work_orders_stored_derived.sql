-- Every work order as work_order_state stores it (work_orders_stored_derived_of with no lists):
-- used by a full rebuild (sql/internal/insert_all_work_order_state.sql).
CREATE OR REPLACE VIEW work_orders_stored_derived AS
SELECT * FROM work_orders_stored_derived_of(NULL::VARCHAR[], NULL::VARCHAR[]);
