-- SQLite. A successful log-in ends its account's streak (its client's decays on its own).
DELETE FROM login_failures WHERE subject = $subject;
