-- One row per inspected call: its scorecard result, category, caller sentiment, routing suggestion
-- and agent attitude from the latest CallInspected; the items are in check_results and
-- llm_judgements. Written by the sink (batch_upsert_inspections.sql). Read by the call page
-- (access_call and its panels), the overview and review lists (scoped_calls), the reports page,
-- exports and the day rollups.
-- The insight columns (sentiment_*, routing_*, attitude_*) are NULL where the inspection carried
-- none.
CREATE TABLE inspections (
    call_id VARCHAR PRIMARY KEY,
    scorecard_id VARCHAR NOT NULL,
    scorecard_version VARCHAR NOT NULL,
    -- NULL: not scored (no scorecard item could be decided, e.g. a silent call), which is not 0
    -- (the score of a fatal failure). Averages and pass rates count scored calls only.
    score DOUBLE,
    max_score DOUBLE NOT NULL,
    -- A fatal item failed: the call fails whatever its score.
    fatal BOOLEAN NOT NULL,
    -- item_id of every failed check.
    defects VARCHAR[] NOT NULL,
    -- Suggested category of the call's matter (the overview's categories); category_score is the
    -- similarity it rests on, category_neighbours the labelled examples nearest to the call.
    category VARCHAR,
    category_score DOUBLE,
    category_method VARCHAR,
    category_neighbours VARCHAR[],
    -- auto_pass | sample_review | mandatory_review
    review_state VARCHAR NOT NULL,
    inspected_at TIMESTAMPTZ NOT NULL,
    sentiment_method VARCHAR,
    -- satisfied | neutral | anxious | dissatisfied | angry; per turn in sentiment_turns.
    sentiment_overall VARCHAR,
    -- improving | steady | worsening | unknown
    sentiment_trend VARCHAR,
    -- Mean valence (angry -2 .. satisfied +1) of the first and last third of the caller's turns.
    sentiment_first_third_valence DOUBLE,
    sentiment_last_third_valence DOUBLE,
    -- The caller's words the overall label rests on.
    sentiment_evidence STRUCT("quote" VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[],
    -- The department the 事项—职责—属地 catalogue assigns, the rule and catalogue version it used, the
    -- category and district it classified the matter under, and why. routing_district is where the
    -- caller's demand is (the pages' district filter).
    routing_department VARCHAR,
    routing_rule_id VARCHAR,
    routing_catalogue_version VARCHAR,
    routing_category VARCHAR,
    routing_district VARCHAR,
    routing_reason VARCHAR,
    attitude_method VARCHAR,
    -- The agent's attitude: polite | neutral | impatient | rude, overall (the worst turn that was
    -- not a lone slip), the agent's words it rests on, and per turn (a list here, as it is only
    -- ever read with its call).
    attitude_overall VARCHAR,
    attitude_evidence STRUCT("quote" VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[],
    attitude_turns STRUCT(start_s DOUBLE, end_s DOUBLE, "label" VARCHAR, reason VARCHAR)[],
    -- item_id of the checks a person must decide (status 'needs_review'), in scorecard order: the
    -- reports page's "calls needing review" reads these instead of every check result.
    items_needing_review VARCHAR[],
    -- The caller's sentiment as call_sentiment resolves it (the inspection's own, else its judged
    -- LLM item); NULL when neither exists. call_days counts it.
    caller_sentiment VARCHAR
);
