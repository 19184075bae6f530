-- SQLite. The failure streaks of a log-in's account and client (rows only where there is one).
SELECT subject, failures, last_failure_s, locked_until_s
FROM login_failures
WHERE subject IN ($account, $client);
