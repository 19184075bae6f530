-- One row per alert raised on a call (self-harm, violence threat, mass gathering, ...), from
-- partial or final transcripts. Written by the sink (batch_upsert_alerts.sql). Read by the overview
-- (access_alerts, access_kpis), the call page (access_call_alerts), the review queue (through
-- queue_calls), the hotspots' daily counts and export_alerts.
CREATE TABLE alerts (
    call_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    -- Seconds from the start of the call.
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    -- high | critical
    severity VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    speaker VARCHAR NOT NULL,
    -- Raised only from partial transcripts so far (a final transcript's copy replaces it).
    from_partial BOOLEAN NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    -- The alert's identity within (call_id, kind), so the same alert decoded again from a later
    -- transcript, at slightly different times, stays one row: the phrase and its occurrence
    -- ("拉横幅#1"), or "at <start_s>" for alerts raised without one. The default '' lets bulk loaders
    -- that do not name the column insert (one alert per call and kind).
    alert_key VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, kind, alert_key)
);
