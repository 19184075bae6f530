-- One row per local day x agent x score: how many scored calls got it, so the reports page reads
-- exact medians from counts (a scorecard's scores are sums of item weights: a few dozen values).
-- Defined by score_days_of; kept by the sink with the other call rollups (refresh_call_rollups;
-- rebuild_call_rollups after a bulk load). Read by access_org_rollup.
CREATE TABLE score_days (
    -- The call's local calendar day in the reporting time zone (Asia/Shanghai,
    -- warehouse/reader.py).
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, score)
);
