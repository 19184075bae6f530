-- SQLite. Streaks whose last failure is old and whose lock is over: keeps the table small.
DELETE FROM login_failures WHERE last_failure_s < $before AND locked_until_s <= $now;
