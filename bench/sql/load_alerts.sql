INSERT INTO alerts BY NAME SELECT * FROM bench_alerts;
