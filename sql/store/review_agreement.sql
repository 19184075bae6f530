-- SQLite. Machine–human agreement per item from the latest decision on each (call, item).
-- Only items where the machine gave a verdict count ('decide' = the machine had none).
-- item_id '' is the whole score.
WITH latest AS (
    SELECT *, row_number() OVER (PARTITION BY call_id, item_id ORDER BY decision_id DESC) AS rn
    FROM review_decisions
    WHERE ($scope_centre IS NULL OR centre_id = $scope_centre)
      AND ($scope_team IS NULL OR team_id = $scope_team)
      AND ($day_from IS NULL OR substr(decided_at, 1, 10) >= $day_from)
      AND ($day_to IS NULL OR substr(decided_at, 1, 10) <= $day_to)
),

judged AS (
    SELECT item_id, item_name, verdict
    FROM latest
    WHERE rn = 1 AND verdict IN ('confirm', 'override')
)

SELECT
    item_id,
    max(item_name) AS item_name,
    count(*) AS decisions,
    sum(verdict = 'confirm') AS confirmed,
    sum(verdict = 'override') AS overridden,
    1.0 * sum(verdict = 'confirm') / count(*) AS agreement
FROM judged
GROUP BY item_id
ORDER BY item_id = '' DESC, agreement, item_id;
