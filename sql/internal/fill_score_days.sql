-- Fill an empty score_days from everything stored, as migration 0028's backfill does: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO score_days
SELECT * FROM score_days_derived
ORDER BY day;
