-- Fill an empty call_days from everything stored, as migration 0025's backfill does: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO call_days
SELECT * FROM call_days_derived
ORDER BY day;
