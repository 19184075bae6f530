-- Orders per bucket of hours (hours_bucket's log scale) as the lists bucket_quantile reads: for each
-- department of bucket_orders (the name of a relation of department, bucket, orders; one NULL
-- department for the whole scope), the buckets in ascending order and the running count of orders
-- up to each. Read by the routing page's headline figures and departments (access_routing_kpis,
-- access_routing_departments, their _rollup), whether they count the order rows or the rollups.
CREATE OR REPLACE MACRO hour_buckets_of(bucket_orders) AS TABLE
SELECT r.department, list(r.bucket ORDER BY r.bucket) AS buckets, list(r.upto ORDER BY r.bucket) AS upto
FROM (
    SELECT b.department, b.bucket, sum(b.orders) OVER (PARTITION BY b.department ORDER BY b.bucket) AS upto
    FROM query_table(bucket_orders) AS b
) AS r
GROUP BY r.department;
