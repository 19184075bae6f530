-- Emptied before the batch's transaction commits: the scratch table is empty outside it.
DELETE FROM sink_batch_inspections;
