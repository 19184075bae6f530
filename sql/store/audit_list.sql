-- SQLite. Newest first; every filter is bound, NULL means any. $day_from / $day_to: 'YYYY-MM-DD' (UTC).
SELECT entry_id, at, username, role, action, call_id, detail
FROM audit_log
WHERE ($username IS NULL OR username = $username)
  AND ($action IS NULL OR action = $action)
  AND ($call_id IS NULL OR call_id = $call_id)
  AND ($day_from IS NULL OR substr(at, 1, 10) >= $day_from)
  AND ($day_to IS NULL OR substr(at, 1, 10) <= $day_to)
ORDER BY entry_id DESC
LIMIT coalesce($limit, 1000);
