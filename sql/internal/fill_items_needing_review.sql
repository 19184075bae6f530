-- After a bulk load that bypassed the sink (benchmark, backfill): each inspection's items waiting
-- for a person (inspections.items_needing_review) from its check results.
UPDATE inspections
SET items_needing_review = f.items
FROM items_needing_review_derived AS f
WHERE inspections.call_id = f.call_id;
