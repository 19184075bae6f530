-- Empty the inspection rollup scratch after each step.
DELETE FROM sink_rollup_inspections;
