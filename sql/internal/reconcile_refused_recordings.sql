-- Recordings the warehouse's dead letters name by call id (recording_sha256): above all the sink's
-- refusals of a different recording under a stored call's id, which only the warehouse holds
-- (the sink is the end of the line and publishes nothing). Reconcile counts each as dead-lettered.
SELECT DISTINCT call_id, recording_sha256
FROM dead_letters
WHERE call_id IS NOT NULL AND recording_sha256 IS NOT NULL
ORDER BY call_id, recording_sha256
LIMIT coalesce($limit::INTEGER, 1000);
