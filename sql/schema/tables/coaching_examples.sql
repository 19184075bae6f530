-- The newest failed checks' quotes per local day x agent x scorecard item, so the coaching view
-- shows examples without reading every check result. One row per evidence item; each (day, agent,
-- item) keeps its first three, verified quotes first, then the newest call (the order
-- access_agent_coaching reads them in). Defined by coaching_examples_of; kept by the sink with
-- the other call rollups (refresh_call_rollups); retention clears its quotes with the checks'
-- (purge_coaching_quotes_before). Read by access_agent_coaching (reports page).
CREATE TABLE coaching_examples (
    -- The call's local calendar day in the reporting time zone (Asia/Shanghai,
    -- warehouse/reader.py).
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    call_id VARCHAR NOT NULL,
    -- Position of the quote in the check's evidence.
    ev_no INTEGER NOT NULL,
    -- The call's start (newest first).
    started_at TIMESTAMPTZ NOT NULL,
    reason VARCHAR,
    quote VARCHAR,
    -- Where the quote starts in the call, in seconds.
    start_s DOUBLE,
    verified BOOLEAN,
    PRIMARY KEY (call_id, item_id, ev_no)
);
