-- One call, only when it lies within the user's scope (else no row: "not found", never "forbidden",
-- so probing call ids tells nothing). The full caller number is masked later by role.
SELECT
    c.call_id, c.centre_id, c.team_id, c.agent_id, c.caller_number, c.started_at, c.channel_layout,
    c.agent_channel, c.source_uri, c.transcript_final, c.transcript_incomplete, c.duration_s, c.language,
    c.asr_model, c.asr_processing_s, c.transcribed_at,
    i.scorecard_id, i.scorecard_version, i.score, i.max_score, i.fatal, i.defects, i.category,
    i.category_score, i.category_method, i.category_neighbours, i.review_state, i.inspected_at
FROM calls_in_scope($scope_centre, $scope_team) AS c
LEFT JOIN inspections_in_scope($scope_centre, $scope_team) AS i USING (call_id)
WHERE c.call_id = $call_id;
