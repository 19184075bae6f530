SELECT kind, severity, quote, speaker, start_s, end_s, from_partial, raised_at
FROM alerts
WHERE call_id = $call_id
ORDER BY start_s, kind;
