-- One call's demands (see call_demands.sql), within the user's scope.
WITH scoped AS (
    SELECT call_id
    FROM calls_in_scope($scope_centre, $scope_team)
    WHERE call_id = $call_id
)

SELECT d.idx, d.summary, d.category, d.district, d.street, d.address, d.urgency, d.requested_action, d.todos, d.source,
    d.machine_extracted, d.evidence, d.demand_type, d.type_evidence
FROM demands_in_scope($scope_centre, $scope_team) AS d
INNER JOIN scoped USING (call_id)
UNION ALL BY NAME
SELECT
    0 AS idx,
    j.value ->> 'summary' AS summary,
    j.value ->> 'category' AS category,
    nullif(j.value ->> 'district', '') AS district,
    'llm_judgement' AS source,
    true AS machine_extracted
FROM llm_judgements_in_scope($scope_centre, $scope_team) AS j
INNER JOIN scoped USING (call_id)
WHERE j.name = 'demand_summary'
  AND j.status = 'judged'
  AND NOT EXISTS (SELECT 1 FROM demands_in_scope($scope_centre, $scope_team) WHERE call_id = $call_id)
ORDER BY idx;
