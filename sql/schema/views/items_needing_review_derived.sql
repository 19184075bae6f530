-- inspections.items_needing_review as derived from the stored check results, one row per call that
-- has such items: used by sql/internal/fill_items_needing_review.sql after a bulk load that
-- bypassed the sink (backfill, benchmark).
CREATE OR REPLACE VIEW items_needing_review_derived AS
SELECT call_id, list(item_id ORDER BY item_no) AS items
FROM check_results
WHERE status = 'needs_review'
GROUP BY call_id;
