-- One row per local day x agent x scorecard item: how many checks applied (passed or failed),
-- failed, and were fatal items, so agent reports read about a million small rows for a year instead
-- of every check result. Kept by the sink in the same transaction as the checks
-- (rollup_add_batch_checks, rollup_shift_agent_items; fill_agent_item_days after a bulk load). Read
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
    -- Rows whose checks all moved away stay with zero counts: readers skip applicable = 0.
    applicable BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    fatal_checks BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, item_id)
);
