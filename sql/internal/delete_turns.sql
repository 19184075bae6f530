DELETE FROM turns WHERE call_id = $call_id;
