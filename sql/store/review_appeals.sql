-- SQLite. Appeals within the reader's scope (one call, or all when $call_id is NULL), with the
-- decision that answered each (NULL while open).
WITH answers AS (
    SELECT appeal_id, appeal_outcome, reason, decided_by, decided_at,
           row_number() OVER (PARTITION BY appeal_id ORDER BY decision_id DESC) AS latest
    FROM review_decisions
    WHERE appeal_id IS NOT NULL
)

SELECT a.appeal_id, a.call_id, a.team_id, a.agent_id, a.item_id, a.text, a.recorded_by, a.recorded_at,
       d.appeal_outcome AS outcome, d.reason AS outcome_reason, d.decided_by, d.decided_at
FROM appeals AS a
LEFT JOIN answers AS d ON d.appeal_id = a.appeal_id AND d.latest = 1
WHERE ($call_id IS NULL OR a.call_id = $call_id)
  AND ($only_open IS NULL OR $only_open = 0 OR d.appeal_id IS NULL)
  AND ($scope_centre IS NULL OR a.centre_id = $scope_centre)
  AND ($scope_team IS NULL OR a.team_id = $scope_team)
ORDER BY a.appeal_id DESC;
