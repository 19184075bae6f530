-- Keyed by (call_id, kind, alert_key); the batch holds one copy of each key (warehouse/batch.py
-- merged them by the same rules). The same alert raised again (a replay, or once from a partial
-- and once from the final transcript) stays one row: the final transcript's copy replaces a
-- partial's, a partial's never replaces a final's, and raised_at keeps the first raising (when a
-- supervisor could first have seen it). from_partial stays true only while no final transcript
-- has confirmed the alert.
INSERT INTO alerts (call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at, alert_key)
SELECT call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at, alert_key
FROM sink_batch_alerts
ON CONFLICT (call_id, kind, alert_key) DO UPDATE SET
    start_s = CASE WHEN excluded.from_partial AND NOT alerts.from_partial THEN alerts.start_s ELSE excluded.start_s END,
    end_s = CASE WHEN excluded.from_partial AND NOT alerts.from_partial THEN alerts.end_s ELSE excluded.end_s END,
    severity = CASE WHEN excluded.from_partial AND NOT alerts.from_partial THEN alerts.severity ELSE excluded.severity END,
    quote = CASE WHEN excluded.from_partial AND NOT alerts.from_partial THEN alerts.quote ELSE excluded.quote END,
    speaker = CASE WHEN excluded.from_partial AND NOT alerts.from_partial THEN alerts.speaker ELSE excluded.speaker END,
    from_partial = alerts.from_partial AND excluded.from_partial,
    raised_at = least(alerts.raised_at, excluded.raised_at);
