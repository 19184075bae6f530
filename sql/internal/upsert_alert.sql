INSERT OR REPLACE INTO alerts (
    call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at
)
VALUES ($call_id, $kind, $start_s, $end_s, $severity, $quote, $speaker, $from_partial, $raised_at);
