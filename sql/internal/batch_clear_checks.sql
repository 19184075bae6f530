-- Empty the batch's new check results scratch (sink_batch_checks) after the rollups read it.
DELETE FROM sink_batch_checks;
