-- Empty the rollup scratch after each step.
DELETE FROM sink_rollup_checks;
