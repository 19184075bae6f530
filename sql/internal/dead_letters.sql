-- Recent dead letters, newest first (payload left out: it can be large), every one of them: for
-- the platform's own status report. A page reads access_dead_letters, within the user's scope.
SELECT
    dl_key,
    stage,
    call_id,
    reason,
    error_type,
    original_topic,
    original_partition,
    original_offset,
    original_key,
    source_uri,
    payload IS NOT NULL AS has_payload,
    failed_at
FROM dead_letters
ORDER BY failed_at DESC, dl_key
LIMIT coalesce($limit::INTEGER, 200);
