-- The scopes the hotspot job mines, one per way a user can be scoped (access.scope_params):
-- every centre (supervisors, analysts) and every team within its centre (team leads), among
-- the calls of the period. The unrestricted scope (admins) is added by the job.
SELECT DISTINCT centre_id, team_id
FROM calls
WHERE centre_id IS NOT NULL
  AND ($date_from::DATE IS NULL OR started_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
ORDER BY centre_id, team_id;
