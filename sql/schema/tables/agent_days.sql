-- One row per local day x agent: inspected calls, how many were scored, the scores' sum and the
-- calls with a fatal failure. Defined by agent_days_of; kept by the sink with the other call
-- rollups (refresh_call_rollups; rebuild_call_rollups after a bulk load). Read
-- by the reports page's score trend (access_agent_scores_over_time), access_calls_newest_day and
-- the filter options.
CREATE TABLE agent_days (
    -- The call's local calendar day in the reporting time zone (Asia/Shanghai,
    -- warehouse/reader.py).
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    inspected BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    fatal_calls BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id)
);
