-- The first copy of a dead letter wins, within the batch (lowest seq) and against what is stored:
-- a replay (or the sink dead-lettering the same poison message again after a restart) must not
-- change when or why it was recorded.
INSERT INTO dead_letters (
    dl_key, stage, call_id, reason, error_type, original_topic, original_partition, original_offset,
    original_key, source_uri, payload, failed_at, recording_sha256
)
SELECT
    dl_key, stage, call_id, reason, error_type, original_topic, original_partition, original_offset,
    original_key, source_uri, payload, failed_at, recording_sha256
FROM (
    SELECT
        *,
        CASE
            WHEN original_topic IS NOT NULL THEN concat_ws(':', original_topic, original_partition, original_offset)
            ELSE concat_ws(':', stage, coalesce(call_id, ''), coalesce(source_uri, ''))
        END AS dl_key
    FROM sink_batch_dead_letters
)
QUALIFY row_number() OVER (PARTITION BY dl_key ORDER BY seq) = 1
ON CONFLICT (dl_key) DO NOTHING;
