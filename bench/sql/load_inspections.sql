INSERT INTO inspections BY NAME SELECT * FROM bench_inspections;
