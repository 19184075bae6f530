-- One row per scorecard item of an inspected call: its status, points and the quotes it rests on.
-- Written by the sink with the inspection (replaced with it); retention clears old quotes
-- (purge_evidence_quotes_before). Read by the call page (access_call_checks), the overview's
-- defects when its filters rule out agent_item_days (access_defects), exports, re-judging and
-- reconcile.
CREATE TABLE check_results (
    call_id VARCHAR NOT NULL,
    -- Position on the scorecard, so a call page lists items in the scorecard's order.
    item_no INTEGER NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    -- rule | timing | llm
    kind VARCHAR NOT NULL,
    -- passed | failed | pending | needs_review | not_applicable
    status VARCHAR NOT NULL,
    -- The item's full points; points is what the call got.
    weight DOUBLE NOT NULL,
    points DOUBLE NOT NULL,
    -- A failure of this item fails the whole call.
    fatal BOOLEAN NOT NULL,
    reason VARCHAR NOT NULL,
    -- Quotes with their times; verified = found verbatim in the transcript.
    evidence STRUCT("quote" VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[] NOT NULL,
    PRIMARY KEY (call_id, item_id)
);
