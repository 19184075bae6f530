-- Recent dead letters (payload left out: it can be large). Those of calls outside the user's
-- scope are left out, and those of unknown calls are shown to unscoped users only.
SELECT
    d.dl_key, d.stage, d.call_id, d.reason, d.error_type, d.original_topic, d.original_partition,
    d.original_offset, d.original_key, d.source_uri, d.payload IS NOT NULL AS has_payload, d.failed_at
FROM dead_letters_in_scope($scope_centre, $scope_team) AS d
ORDER BY d.failed_at DESC, d.dl_key
LIMIT coalesce($limit::INTEGER, 200);
