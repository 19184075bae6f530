-- One row per local day x agent x suggested category: what the overview counts of inspected calls,
-- so its KPIs, daily trend and categories read thousands of rows instead of every call and
-- inspection. Defined by call_days_of; the sink recomputes the agent-days a batch touches in the
-- same transaction as the inspections (refresh_call_rollups; rebuild_call_rollups after a bulk
-- load). Read by access_kpis_rollup, access_daily_rollup, access_categories_rollup
-- (warehouse/rollups.py picks them) and access_org_rollup.
CREATE TABLE call_days (
    -- The call's local calendar day in the reporting time zone (Asia/Shanghai,
    -- warehouse/reader.py).
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    -- inspections.category, '' where it has none (a key cannot be NULL); readers turn '' into NULL.
    category VARCHAR NOT NULL,
    -- Inspected calls only: landed calls are counted from calls itself.
    inspected BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    max_scored BIGINT NOT NULL,
    max_score_sum DOUBLE NOT NULL,
    -- Scored calls only: passed = no defect and not fatal; defective = some defect or fatal (as
    -- access_kpis counts them). review_queue: sample or mandatory review.
    passed BIGINT NOT NULL,
    defective BIGINT NOT NULL,
    fatal_calls BIGINT NOT NULL,
    review_queue BIGINT NOT NULL,
    mandatory_review BIGINT NOT NULL,
    -- Calls whose caller's sentiment is known (inspections.caller_sentiment), and the dissatisfied
    -- or angry ones.
    sentiment_known BIGINT NOT NULL DEFAULT 0,
    negative_caller BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, centre_id, team_id, agent_id, category)
);
