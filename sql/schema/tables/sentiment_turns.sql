-- The caller's sentiment turn by turn, as the inspection judged it; turn_no is the position in the
-- inspection's list (the transcript turn is found by its times). Written by the sink with the
-- inspection (replaced with it). Read by the call page (access_call_sentiment).
CREATE TABLE sentiment_turns (
    call_id VARCHAR NOT NULL,
    turn_no INTEGER NOT NULL,
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    -- satisfied | neutral | anxious | dissatisfied | angry
    label VARCHAR NOT NULL,
    -- How far the winning label's similarity lies above the runner-up's (0 = a tie).
    margin DOUBLE NOT NULL,
    PRIMARY KEY (call_id, turn_no)
);
