-- One row per demand (诉求) the inspection found in a call, in its order (idx from 0): a work-order
-- draft line, machine-extracted until a person confirms it. Written by the sink with the inspection
-- (replaced with it). Read by the call page (access_call_demands), the hotspots (through
-- call_demands and call_facts) and work_order_discrepancies.
CREATE TABLE demands (
    call_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    summary VARCHAR NOT NULL,
    -- "一级/二级[/三级]" from the configured taxonomy.
    category VARCHAR,
    district VARCHAR,
    street VARCHAR,
    -- As the caller said it.
    address VARCHAR,
    -- low | normal | high | urgent
    urgency VARCHAR,
    requested_action VARCHAR,
    -- JSON list of strings.
    todos JSON NOT NULL,
    -- rules | llm
    source VARCHAR NOT NULL,
    machine_extracted BOOLEAN NOT NULL,
    -- JSON list of evidence (quote, speaker, start_s, end_s, verified), as the contract carries it.
    evidence JSON NOT NULL,
    -- 投诉 | 举报 | 求助 | 建议 | 咨询 | 表扬; NULL when not determined.
    demand_type VARCHAR,
    -- The caller's words demand_type rests on: JSON list of evidence, as evidence.
    type_evidence JSON,
    PRIMARY KEY (call_id, idx)
);
