-- Scope ($scope_centre, $scope_team): the dashboard binds them from the signed-in user by
-- access.run_scoped. One call's agent attitude (inspections.attitude_*): one row per agent turn with the
-- overall label and the quotes it rests on repeated; no rows for a call whose inspection carried none.
WITH scoped AS (
    SELECT i.call_id, i.attitude_method, i.attitude_overall, i.attitude_evidence, i.attitude_turns
    FROM inspections_in_scope($scope_centre, $scope_team) AS i
    WHERE i.call_id = $call_id
      AND i.attitude_overall IS NOT NULL
)

SELECT
    s.attitude_method AS method,
    s.attitude_overall AS overall,
    s.attitude_evidence[1].quote AS attitude_quote,
    s.attitude_evidence[1].start_s AS attitude_quote_start_s,
    t.turn_no - 1 AS turn_no,
    t.turn.start_s AS start_s,
    t.turn.end_s AS end_s,
    t.turn.label AS label,
    t.turn.reason AS reason
FROM scoped AS s
LEFT JOIN (
    SELECT call_id, unnest(attitude_turns) AS turn, generate_subscripts(attitude_turns, 1) AS turn_no
    FROM scoped
) AS t USING (call_id)
ORDER BY t.turn_no;
