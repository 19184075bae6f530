INSERT INTO check_results BY NAME SELECT * FROM bench_checks;
