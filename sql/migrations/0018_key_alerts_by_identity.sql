-- Alerts keyed by what they say, not by when: a partial and the final transcript decode the call
-- separately and put the same words at slightly different times, so (call_id, kind, start_s)
-- stored one alert twice. alert_key is the alert's identity (the phrase and its occurrence,
-- "拉横幅#1"); for alerts raised without one it is their start time, as before.
CREATE TABLE alerts_by_identity (
    call_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    severity VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    speaker VARCHAR NOT NULL,
    from_partial BOOLEAN NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    -- Defaulted so bulk loaders that predate the column still insert (one alert per call and kind).
    alert_key VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, kind, alert_key)
);

INSERT INTO alerts_by_identity
SELECT call_id, kind, start_s, end_s, severity, quote, speaker, from_partial, raised_at, 'at ' || printf('%.3f', start_s)
FROM alerts;

DROP TABLE alerts;
ALTER TABLE alerts_by_identity RENAME TO alerts;

DROP TABLE sink_batch_alerts;
CREATE TABLE sink_batch_alerts AS SELECT * FROM alerts WITH NO DATA;
