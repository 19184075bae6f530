-- Fill an empty call_days from everything stored (call_days_derived): for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO call_days
SELECT * FROM call_days_derived
ORDER BY day;
