-- Fill an empty score_days from everything stored (score_days_derived): for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO score_days
SELECT * FROM score_days_derived
ORDER BY day;
