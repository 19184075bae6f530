-- SQLite.
INSERT INTO login_failures (subject, failures, last_failure_s, locked_until_s)
VALUES ($subject, $failures, $last_failure_s, $locked_until_s)
ON CONFLICT (subject) DO UPDATE SET
    failures = excluded.failures,
    last_failure_s = excluded.last_failure_s,
    locked_until_s = excluded.locked_until_s;
