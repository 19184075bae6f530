-- Bulk load of generated calls (a registered frame named bench_calls), as a backfill would.
INSERT INTO calls BY NAME SELECT * FROM bench_calls;
