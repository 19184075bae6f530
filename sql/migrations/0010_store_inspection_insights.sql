-- CallInspected gained optional fields after v1 shipped: the caller's sentiment (overall, trend,
-- per turn), the caller's demands (诉求, work-order draft lines) and the department the
-- 事项—职责—属地 catalogue suggests. Calls inspected before then keep NULLs and no rows here;
-- the views in 0012 fall back to the judged LLM items for them.
ALTER TABLE inspections ADD COLUMN sentiment_method VARCHAR;
ALTER TABLE inspections ADD COLUMN sentiment_overall VARCHAR;
ALTER TABLE inspections ADD COLUMN sentiment_trend VARCHAR;
-- Mean valence (angry -2 .. satisfied +1) of the first and last third of the caller's turns.
ALTER TABLE inspections ADD COLUMN sentiment_first_third_valence DOUBLE;
ALTER TABLE inspections ADD COLUMN sentiment_last_third_valence DOUBLE;
ALTER TABLE inspections ADD COLUMN sentiment_evidence STRUCT(quote VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[];
ALTER TABLE inspections ADD COLUMN routing_department VARCHAR;
ALTER TABLE inspections ADD COLUMN routing_rule_id VARCHAR;
ALTER TABLE inspections ADD COLUMN routing_catalogue_version VARCHAR;
ALTER TABLE inspections ADD COLUMN routing_category VARCHAR;
ALTER TABLE inspections ADD COLUMN routing_district VARCHAR;
ALTER TABLE inspections ADD COLUMN routing_reason VARCHAR;

-- The caller's sentiment turn by turn; turn_no is the position in the inspection's list (the
-- transcript turn is found by its times).
CREATE TABLE sentiment_turns (
    call_id VARCHAR NOT NULL,
    turn_no INTEGER NOT NULL,
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    label VARCHAR NOT NULL,
    -- How far the winning label's similarity lies above the runner-up's (0 = a tie).
    margin DOUBLE NOT NULL,
    PRIMARY KEY (call_id, turn_no)
);

-- One row per demand of the caller, in the inspection's order (idx). Machine-extracted until a
-- person confirms it; todos and evidence are JSON lists as the contract carries them.
CREATE TABLE demands (
    call_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    summary VARCHAR NOT NULL,
    category VARCHAR,
    district VARCHAR,
    street VARCHAR,
    address VARCHAR,
    urgency VARCHAR,
    requested_action VARCHAR,
    todos JSON NOT NULL,
    -- rules | llm
    source VARCHAR NOT NULL,
    machine_extracted BOOLEAN NOT NULL,
    evidence JSON NOT NULL,
    PRIMARY KEY (call_id, idx)
);
