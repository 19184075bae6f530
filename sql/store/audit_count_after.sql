-- SQLite. How many entries follow $after_id (0: all of them).
SELECT count(*) AS entries FROM audit_log WHERE entry_id > $after_id;
