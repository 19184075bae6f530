-- Keyed by (call_id, kind, start_s); the batch holds the latest copy of each key.
INSERT OR REPLACE INTO alerts (call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at)
SELECT call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at
FROM sink_batch_alerts;
