-- One call's LLM items (demands, work-order draft, ...), within the user's scope.
SELECT j.item_no, j.name, j.status, j.reason, j.value, j.model, j.prompt_version
FROM llm_judgements AS j
INNER JOIN calls AS c USING (call_id)
WHERE j.call_id = $call_id
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY j.item_no;
