-- The first copy of a dead letter wins: a replay (or the sink dead-lettering the same poison
-- message again after a restart) must not change when or why it was recorded.
INSERT INTO dead_letters (
    dl_key, stage, call_id, reason, error_type, original_topic, original_partition, original_offset,
    original_key, source_uri, payload, failed_at
)
VALUES (
    CASE
        WHEN $original_topic::VARCHAR IS NOT NULL
            THEN concat_ws(':', $original_topic, $original_partition::INTEGER, $original_offset::BIGINT)
        ELSE concat_ws(':', $stage, coalesce($call_id::VARCHAR, ''), coalesce($source_uri::VARCHAR, ''))
    END,
    $stage, $call_id, $reason, $error_type, $original_topic, $original_partition, $original_offset,
    $original_key, $source_uri, $payload, $failed_at
)
ON CONFLICT (dl_key) DO NOTHING;
