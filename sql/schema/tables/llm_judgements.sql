-- One row per LLM-produced field of an inspection (name: caller_sentiment, demand_summary, ...), or
-- why there is none yet. Written by the sink with the inspection (replaced with it). Read by the
-- call page (access_call_llm, access_call_demands), the LLM progress panel (access_llm_progress),
-- re-judging (pending_llm_calls), and as a fallback by the views call_sentiment and call_demands.
CREATE TABLE llm_judgements (
    call_id VARCHAR NOT NULL,
    item_no INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    -- judged | pending | needs_review: only judged values are facts.
    status VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    -- The field's value; each name has its own shape.
    value JSON,
    model VARCHAR,
    prompt_version VARCHAR,
    PRIMARY KEY (call_id, name)
);
