INSERT INTO work_order_events BY NAME SELECT * FROM bench_events;
