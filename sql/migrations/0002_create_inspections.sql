-- The scorecard result of a call, its checks (with the quotes they rest on) and the LLM items.
CREATE TABLE inspections (
    call_id VARCHAR PRIMARY KEY,
    scorecard_id VARCHAR NOT NULL,
    scorecard_version VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL,
    fatal BOOLEAN NOT NULL,
    defects VARCHAR[] NOT NULL,
    category VARCHAR,
    category_score DOUBLE,
    category_method VARCHAR,
    category_neighbours VARCHAR[],
    review_state VARCHAR NOT NULL,
    inspected_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE check_results (
    call_id VARCHAR NOT NULL,
    -- Position on the scorecard, so a call page lists items in the scorecard's order.
    item_no INTEGER NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    points DOUBLE NOT NULL,
    fatal BOOLEAN NOT NULL,
    reason VARCHAR NOT NULL,
    evidence STRUCT(quote VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[] NOT NULL,
    PRIMARY KEY (call_id, item_id)
);

CREATE TABLE llm_judgements (
    call_id VARCHAR NOT NULL,
    item_no INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    value JSON,
    model VARCHAR,
    prompt_version VARCHAR,
    PRIMARY KEY (call_id, name)
);
