DELETE FROM check_results WHERE call_id = $call_id;
