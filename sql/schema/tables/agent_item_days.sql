-- One row per local day x agent x scorecard item: how many checks applied (passed or failed),
-- failed, and were fatal items, so agent reports read about a million small rows for a year instead
-- of every check result. Defined by agent_item_days_of; kept by the sink with the other call
-- rollups (refresh_call_rollups; rebuild_call_rollups after a bulk load). Read
-- by the reports page (access_agent_item_pass_rates, access_agent_coaching) and the overview's
-- defects (access_defects).
CREATE TABLE agent_item_days (
    -- The call's local calendar day in the reporting time zone (Asia/Shanghai,
    -- warehouse/reader.py).
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    -- The item's name on the scorecard.
    name VARCHAR,
    applicable BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    fatal_checks BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, item_id)
);
