-- Alerts are keyed by where they sit in the call, so the same alert raised again
-- (a replay, or once from the partial and once from the final transcript) stays one row.
CREATE TABLE alerts (
    call_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    severity VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    speaker VARCHAR NOT NULL,
    from_partial BOOLEAN NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (call_id, kind, start_s)
);
