-- After a bulk load that bypassed the sink (benchmark, backfill): each inspection's items waiting
-- for a person (migration 0026) from its check results.
UPDATE inspections
SET items_needing_review = f.items
FROM (
    SELECT call_id, list(item_id ORDER BY item_no) AS items
    FROM check_results
    WHERE status = 'needs_review'
    GROUP BY call_id
) AS f
WHERE inspections.call_id = f.call_id;
