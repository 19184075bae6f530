-- Every message some stage could not process, the sink's own included: the end of the line.
CREATE TABLE dead_letters (
    -- Where the message sat in Kafka (topic:partition:offset), or stage:call_id:source_uri
    -- for what never entered Kafka; a replayed dead letter lands on the same row.
    dl_key VARCHAR PRIMARY KEY,
    stage VARCHAR NOT NULL,
    call_id VARCHAR,
    reason VARCHAR NOT NULL,
    error_type VARCHAR NOT NULL,
    original_topic VARCHAR,
    original_partition INTEGER,
    original_offset BIGINT,
    original_key VARCHAR,
    source_uri VARCHAR,
    payload BLOB,
    failed_at TIMESTAMPTZ NOT NULL
);
