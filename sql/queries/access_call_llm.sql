-- One call's LLM items (demands, work-order draft, ...), within the user's scope.
SELECT j.item_no, j.name, j.status, j.reason, j.value, j.model, j.prompt_version
FROM llm_judgements_in_scope($scope_centre, $scope_team) AS j
WHERE j.call_id = $call_id
ORDER BY j.item_no;
